import { beforeAll, describe, expect, it } from "vitest";
import type { ProductPage, ProductSummary } from "#schema/catalog/dto.ts";
import type { Result } from "#shared/result.ts";
import { call, catalogService, TEST_SHOP_SIZE, withDemoShop } from "./service.ts";

const page = (r: Result<ProductPage>): ProductPage => {
  if (!r.ok) throw new Error(`expected a page, got ${JSON.stringify(r.problem)}`);
  return r.value;
};

async function walk(query: Record<string, unknown>): Promise<ProductSummary[]> {
  const all: ProductSummary[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const p = page(await catalogService().listProducts({ ...query, cursor }, call));
    all.push(...p.items);
    if (p.nextCursor === null) return all;
    cursor = p.nextCursor;
  }
  throw new Error("pagination did not end");
}

beforeAll(withDemoShop);

describe("listProducts", () => {
  it("gives 20 newest products by default with a cursor to the next page", async () => {
    const p = page(await catalogService().listProducts({}, call));
    expect(p.items).toHaveLength(20);
    expect(p.nextCursor).toEqual(expect.any(String));
    const times = p.items.map((i) => Date.parse(i.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(p.items[0]?.image?.url).toMatch(/^\/v1\/images\/products\/[0-9a-f]{24}\.png$/);
  });

  it.each(["newest", "price_asc", "price_desc"] as const)("walks every product exactly once sorted by %s", async (sort) => {
    const all = await walk({ sort, limit: 7 });
    expect(all).toHaveLength(TEST_SHOP_SIZE);
    expect(new Set(all.map((p) => p.id)).size).toBe(TEST_SHOP_SIZE);
    if (sort !== "newest") {
      const prices = all.map((p) => p.price.amount);
      expect(prices).toEqual([...prices].sort((a, b) => (sort === "price_asc" ? a - b : b - a)));
    }
  });

  it("includes sub-categories when filtering by a parent category", async () => {
    const tree = await catalogService().listCategories(call);
    if (!tree.ok) throw new Error("no tree");
    const books = tree.value.items.find((c) => c.slug === "books");
    expect(books?.children.map((c) => c.slug)).toEqual(["fiction", "science", "cooking"]);
    const parent = await walk({ category: "books", limit: 50 });
    let leaves = 0;
    for (const child of books?.children ?? []) {
      const items = await walk({ category: child.slug, limit: 50 });
      expect(items.every((i) => i.category.slug === child.slug)).toBe(true);
      leaves += items.length;
    }
    expect(parent.length).toBeGreaterThan(0);
    expect(parent.length).toBe(leaves);
  });

  it("matches every word of q (a brand here); a q of punctuation only matches nothing", async () => {
    const items = await walk({ q: "velomax", limit: 100 });
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => `${i.title} ${i.brand}`.toLowerCase().includes("velomax"))).toBe(true);
    const none = page(await catalogService().listProducts({ q: "%_" }, call));
    expect(none.items).toEqual([]);
  });

  it("answers an unknown category with 404 naming it", async () => {
    const r = await catalogService().listProducts({ category: "no-such-thing" }, call);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.status).toBe(404);
      expect(r.problem.errors?.[0]?.field).toBe("category");
    }
  });

  it("rejects forged, truncated and borrowed cursors with 400", async () => {
    const first = page(await catalogService().listProducts({ limit: 5 }, call));
    const cursor = first.nextCursor ?? "";
    const [body = "", sig = ""] = cursor.split(".");
    const payload = JSON.parse(atob(body.replaceAll("-", "+").replaceAll("_", "/")));
    payload.k[1] = "prd_zzzzz";
    const forgedBody = btoa(JSON.stringify(payload)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    const bad = [`${forgedBody}.${sig}`, cursor.slice(0, -3), body, `${cursor}.x`, "!!!"];
    for (const c of bad) {
      const r = await catalogService().listProducts({ limit: 5, cursor: c }, call);
      expect(r.ok ? "accepted" : r.problem.status, c).toBe(400);
    }
    const borrowed = await catalogService().listProducts({ limit: 5, cursor, sort: "price_asc" }, call);
    expect(borrowed.ok ? 200 : borrowed.problem.errors?.[0]?.field).toBe("cursor");
  });

  it("rejects a bad query passed over RPC instead of trusting the caller", async () => {
    for (const query of [{ limit: 0 }, { limit: 5000 }, { limit: "abc" }, { sort: "cheapest" }]) {
      const r = await catalogService().listProducts(query, call);
      expect(r.ok ? 200 : r.problem.status).toBe(400);
    }
  });
});
