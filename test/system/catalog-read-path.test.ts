import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DEMO_SIZE } from "../../workers/catalog/seed/demo-shop.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

type Json = Record<string, unknown>;
type Summary = { id: string; slug: string; image: { url: string } | null; category: { slug: string } };

const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
const url = (path: string): string => new URL(path, platform.url).toString();
const getJson = async (
  path: string,
  init?: RequestInit,
): Promise<{ status: number; type: string | null; body: Json; headers: Headers }> => {
  const res = await fetch(url(path), init);
  return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as Json, headers: res.headers };
};

async function walk(query: string): Promise<Summary[]> {
  const items: Summary[] = [];
  let cursor: string | null = null;
  do {
    const res = await getJson(`/v1/products?${query}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
    expect(res.status).toBe(200);
    items.push(...(res.body.items as Summary[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor !== null);
  return items;
}

beforeAll(async () => {
  platform = await boot(state.dir);
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

describe("the platform as npm start runs it", () => {
  it("applies migrations and loads the demo shop on a fresh state", () => {
    const migrations = readdirSync("workers/catalog/db/migrations")
      .filter((f) => f.endsWith(".sql"))
      .sort();
    expect(migrations.length).toBeGreaterThan(0);
    expect(platform.messages).toContain(`catalog: applied ${migrations.join(", ")}`);
    expect(platform.messages).toContain(`catalog: loaded the demo shop (${DEFAULT_DEMO_SIZE} products with images)`);
  });

  it("lists products, shows one, and serves its image bytes", async () => {
    const list = await getJson("/v1/products?limit=3");
    expect(list.status).toBe(200);
    const [first] = list.body.items as Summary[];
    expect(first).toBeDefined();
    const detail = await getJson(`/v1/products/${first?.slug}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: first?.id, slug: first?.slug });
    expect(detail.body).toHaveProperty("variants.0.price.amount");
    expect(detail.body).toHaveProperty("attributes");

    const imagePath = (detail.body.images as { url: string }[])[0]?.url ?? "";
    const image = await fetch(url(imagePath));
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const bytes = new Uint8Array(await image.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const etag = image.headers.get("etag");
    expect(etag).toMatch(/^".+"$/);

    const again = await fetch(url(imagePath), { headers: { "If-None-Match": etag ?? "" } });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    const stale = await fetch(url(imagePath), { headers: { "If-None-Match": '"something-else"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();

    const missing = await getJson("/v1/images/products/000000000000000000000000.png");
    expect(missing.status).toBe(404);
    expect(missing.type).toBe("application/problem+json");
  });

  it("walks every product exactly once through cursor pagination", async () => {
    const all = await walk("limit=100");
    expect(all).toHaveLength(DEFAULT_DEMO_SIZE);
    expect(new Set(all.map((p) => p.id)).size).toBe(DEFAULT_DEMO_SIZE);
    const cheapestFirst = await walk("limit=100&sort=price_asc&category=electronics");
    expect(new Set(cheapestFirst.map((p) => p.id)).size).toBe(cheapestFirst.length);
    expect(cheapestFirst.every((p) => ["phones", "laptops", "audio", "cameras"].includes(p.category.slug))).toBe(true);
  });

  it("serves the category tree and the OpenAPI document", async () => {
    const tree = await getJson("/v1/categories");
    const roots = tree.body.items as { children: unknown[] }[];
    expect(roots.length).toBeGreaterThanOrEqual(2);
    expect(roots.reduce((n, r) => n + r.children.length, 0)).toBeGreaterThanOrEqual(12);
    const doc = await getJson("/v1/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths as Json)).toEqual(expect.arrayContaining(["/v1/products", "/v1/products/{slug}", "/v1/categories"]));
    // The documented error shape is the one on the wire: extension members at the top level.
    const problemSchema = (doc.body.components as { schemas: Record<string, { properties: Json; additionalProperties?: unknown }> }).schemas
      .Problem;
    expect(problemSchema?.properties).toHaveProperty("status");
    expect(problemSchema?.properties).not.toHaveProperty("extensions");
    expect(problemSchema?.additionalProperties).toBeTruthy();
    const docs = await fetch(url("/docs"));
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/v1/openapi.json");
  });

  it("answers bad input with a 4xx problem naming the parameter, never a 500", async () => {
    const first = await getJson("/v1/products?limit=2");
    const cursor = String(first.body.nextCursor);
    const cases: [string, number, string | null][] = [
      ["/v1/products?limit=0", 400, "limit"],
      ["/v1/products?limit=5000", 400, "limit"],
      ["/v1/products?limit=abc", 400, "limit"],
      ["/v1/products?sort=cheapest", 400, "sort"],
      [`/v1/products?cursor=${encodeURIComponent(cursor.slice(0, -4))}`, 400, "cursor"],
      [`/v1/products?cursor=${encodeURIComponent(`x${cursor.slice(1)}`)}`, 400, "cursor"],
      [`/v1/products?sort=price_desc&cursor=${encodeURIComponent(cursor)}`, 400, "cursor"],
      ["/v1/products?category=no-such-category", 404, "category"],
      ["/v1/products/no-such-product", 404, null],
      ["/v1/nothing-here", 404, null],
    ];
    for (const [path, status, field] of cases) {
      const res = await getJson(path);
      expect([path, res.status, res.type]).toEqual([path, status, "application/problem+json"]);
      expect(res.body).toMatchObject({ status, title: expect.any(String), type: expect.stringContaining("/problems/") });
      if (field !== null) expect((res.body.errors as { field: string }[])[0]?.field, path).toBe(field);
    }
  });

  it("refuses an oversized request body with 413 before any handler reads it", async () => {
    const res = await getJson("/v1/products", {
      method: "POST",
      body: "x".repeat(200 * 1024),
      headers: { "content-type": "application/json" },
    });
    expect([res.status, res.type]).toEqual([413, "application/problem+json"]);
  });

  it("keeps a caller's request id, makes one otherwise, and sends security and CORS headers", async () => {
    const given = await fetch(url("/v1/categories"), { headers: { "X-Request-Id": "trace-abc.123", Origin: "https://shop.example" } });
    expect(given.headers.get("x-request-id")).toBe("trace-abc.123");
    expect(given.headers.get("x-content-type-options")).toBe("nosniff");
    expect(given.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    await given.arrayBuffer();
    const made = await fetch(url("/v1/categories"), { headers: { "X-Request-Id": "bad id; <script>" } });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    await made.arrayBuffer();
  });

  it("caches anonymous reads briefly: an edit shows on the list, the product and the search within 10 s", async () => {
    const first = ((await getJson("/v1/products?limit=1")).body.items as (Summary & { title: string })[])[0];
    if (first === undefined) throw new Error("no product");
    // Warm every cache, then change the product the way a merchant's edit does (the catalog's own rows).
    await getJson(`/v1/products/${first.slug}`);
    await getJson(`/v1/products?q=${encodeURIComponent(first.title.split(" ")[0] ?? "")}`);
    const db = await platform.miniflare.getD1Database("DB", "catalog");
    await db.prepare("UPDATE products SET title = ?, updated_at = ? WHERE id = ?").bind("Quasar Edition", Date.now(), first.id).run();
    const edited = Date.now();
    // The product page carries live stock, so it is not cacheable downstream; only its product part is, in the isolate.
    const seen = async (path: string, ok: (body: Json) => boolean): Promise<number> => {
      for (;;) {
        const res = await getJson(path);
        expect(res.headers.get("cache-control")).toMatch(path.startsWith("/v1/products?") ? /max-age=4\b/ : /no-store/);
        if (ok(res.body)) return Date.now() - edited;
        if (Date.now() - edited > 15_000) return Number.POSITIVE_INFINITY;
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const onList = await seen("/v1/products?limit=1", (b) => (b.items as { title: string }[])[0]?.title === "Quasar Edition");
    const onDetail = await seen(`/v1/products/${first.slug}`, (b) => b.title === "Quasar Edition");
    const onSearch = await seen("/v1/products?q=quasar", (b) => (b.items as { id: string }[]).some((i) => i.id === first.id));
    for (const took of [onList, onDetail, onSearch]) expect(took).toBeLessThan(10_000);
  });

  it("restarts on the same state without loading or losing anything", async () => {
    await platform.dispose();
    platform = await boot(state.dir);
    expect(platform.messages).toEqual(["catalog: demo shop already loaded"]);
    expect(await walk("limit=100")).toHaveLength(DEFAULT_DEMO_SIZE);
  });
});
