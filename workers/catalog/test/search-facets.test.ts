import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Facets, ListProductsRequest, ProductPage } from "#schema/catalog/dto.ts";
import type { Result } from "#shared/result.ts";
import { call, catalogService, withDemoShop } from "./service.ts";

// Facets and filters checked against a brute-force count over the same catalog, read straight from D1.

type Model = {
  id: string;
  slug: string;
  brand: string;
  priceMin: number;
  ratingSum: number;
  ratingCount: number;
  category: string;
  inStock: boolean;
  attributes: Map<string, string>;
};

const page = (r: Result<ProductPage>): ProductPage => {
  if (!r.ok) throw new Error(`expected a page, got ${JSON.stringify(r.problem)}`);
  return r.value;
};

let catalog: Model[] = [];
let leafCategories: string[] = [];

beforeAll(async () => {
  await withDemoShop();
  // Ratings as reviews will leave them (reviews are another issue): a spread of averages and unrated products.
  await env.DB.prepare(
    "UPDATE products SET rating_count = (rowid % 4), rating_sum = (rowid % 4) * (1 + rowid % 5) WHERE status = 'active'",
  ).run();
  const products = await env.DB.prepare(
    `SELECT p.id, p.slug, p.brand, p.price_min, p.rating_sum, p.rating_count, c.slug AS category,
       EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.available > 0) AS in_stock
     FROM products p JOIN categories c ON c.id = p.category_id WHERE p.status = 'active'`,
  ).all<{
    id: string;
    slug: string;
    brand: string;
    price_min: number;
    rating_sum: number;
    rating_count: number;
    category: string;
    in_stock: number;
  }>();
  const attributes = await env.DB.prepare("SELECT product_id, name, value FROM product_attributes").all<{
    product_id: string;
    name: string;
    value: string;
  }>();
  catalog = products.results.map((p) => ({
    id: p.id,
    slug: p.slug,
    brand: p.brand,
    priceMin: p.price_min,
    ratingSum: p.rating_sum,
    ratingCount: p.rating_count,
    category: p.category,
    inStock: p.in_stock === 1,
    attributes: new Map(attributes.results.filter((a) => a.product_id === p.id).map((a) => [a.name, a.value] as const)),
  }));
  leafCategories = [...new Set(catalog.map((p) => p.category))].sort();
});

type Query = Pick<ListProductsRequest, "category" | "brand" | "priceMin" | "priceMax" | "ratingMin" | "inStock" | "attributes">;
type Facet = "brand" | "price" | "rating" | "inStock" | "attributes";

function passes(p: Model, q: Query, except?: Facet, exceptKey?: string): boolean {
  if (q.category !== undefined && p.category !== q.category) return false;
  if (except !== "brand" && q.brand !== undefined && !q.brand.includes(p.brand)) return false;
  if (except !== "price" && q.priceMin !== undefined && p.priceMin < q.priceMin) return false;
  if (except !== "price" && q.priceMax !== undefined && p.priceMin > q.priceMax) return false;
  if (except !== "rating" && q.ratingMin !== undefined && !(p.ratingCount > 0 && p.ratingSum >= q.ratingMin * p.ratingCount)) return false;
  if (except !== "inStock" && q.inStock === true && !p.inStock) return false;
  for (const [key, values] of Object.entries(q.attributes ?? {})) {
    if (except === "attributes" && exceptKey === key) continue;
    if (!values.includes(p.attributes.get(key) ?? "\u0000none")) return false;
  }
  return true;
}

const byCountThenValue = (a: { value: string; count: number }, b: { value: string; count: number }) =>
  b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

function countBy(values: string[]): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count })).sort(byCountThenValue);
}

const BANDS: [number, number | null][] = [
  [0, 2500],
  [2500, 5000],
  [5000, 10000],
  [10000, 25000],
  [25000, 50000],
  [50000, null],
];

function expectedFacets(q: Query): Facets {
  const except = (f: Facet) => catalog.filter((p) => passes(p, q, f));
  const perKey = new Map<string, { value: string; count: number }[]>();
  const keys = new Set(catalog.flatMap((p) => [...p.attributes.keys()]));
  for (const key of keys) {
    const values = catalog.filter((p) => p.attributes.has(key) && passes(p, q, "attributes", key)).map((p) => p.attributes.get(key) ?? "");
    // Every other attribute filter still holds for these products (passes leaves out only this key's own).
    if (values.length > 0) perKey.set(key, countBy(values).slice(0, 20));
  }
  const topKeys = [...perKey]
    .sort(([ka, a], [kb, b]) => b.reduce((s, v) => s + v.count, 0) - a.reduce((s, v) => s + v.count, 0) || (ka < kb ? -1 : 1))
    .slice(0, 10);
  return {
    brand: countBy(except("brand").map((p) => p.brand)).slice(0, 30),
    priceBand: BANDS.map(([min, max]) => ({
      value: max === null ? `${min}+` : `${min}-${max}`,
      min,
      max,
      count: except("price").filter((p) => p.priceMin >= min && (max === null || p.priceMin < max)).length,
    })),
    rating: [4, 3, 2, 1].map((n) => ({
      value: String(n),
      count: except("rating").filter((p) => p.ratingCount > 0 && p.ratingSum >= n * p.ratingCount).length,
    })),
    attributes: Object.fromEntries(topKeys),
    inStock: { value: "true", count: except("inStock").filter((p) => p.inStock).length },
  };
}

async function everyId(q: Query): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const p = page(await catalogService().listProducts({ ...q, limit: 50, ...(cursor ? { cursor } : {}) }, call));
    ids.push(...p.items.map((item) => item.id));
    if (p.nextCursor === null) return ids.sort();
    cursor = p.nextCursor;
  }
  throw new Error("pagination did not end");
}

describe("facets and filters", () => {
  it("count exactly what a brute-force count over the catalog counts, for any combination of filters", async () => {
    const pick = <T>(xs: T[]) => fc.constantFrom(...xs);
    const attributePairs = catalog.flatMap((p) => [...p.attributes].map(([k, v]) => [k, v] as const));
    const queries = fc.sample(
      fc.record(
        {
          category: pick(leafCategories),
          brand: fc.uniqueArray(pick([...new Set(catalog.map((p) => p.brand))]), { minLength: 1, maxLength: 3 }),
          priceMin: fc.integer({ min: 0, max: 20000 }),
          priceMax: fc.integer({ min: 20000, max: 100000 }),
          ratingMin: fc.integer({ min: 1, max: 5 }),
          inStock: fc.constant(true),
          attributes: fc
            .uniqueArray(pick(attributePairs), { minLength: 1, maxLength: 3, selector: ([k, v]) => `${k}=${v}` })
            .map((pairs) => {
              const out: Record<string, string[]> = {};
              for (const [k, v] of pairs) out[k] = [...(out[k] ?? []), v];
              return out;
            }),
        },
        { requiredKeys: [] },
      ),
      { numRuns: 30, seed: 20261122 },
    );
    queries.push({}, { category: leafCategories[0] });
    for (const q of queries) {
      const answer = page(await catalogService().listProducts({ ...q, facets: true, limit: 5 }, call));
      expect(answer.facets, JSON.stringify(q)).toEqual(expectedFacets(q));
      expect(await everyId(q), JSON.stringify(q)).toEqual(
        catalog
          .filter((p) => passes(p, q))
          .map((p) => p.id)
          .sort(),
      );
    }
  });

  it("refuses filters that cannot hold, naming them", async () => {
    const bad = [
      [{ priceMin: 500, priceMax: 100 }, "priceMin"],
      [{ sort: "relevance" }, "sort"],
      [{ ratingMin: 6 }, "ratingMin"],
      [{ brand: Array.from({ length: 21 }, (_, i) => `b${i}`) }, "brand"],
    ] as const;
    for (const [query, field] of bad) {
      const r = await catalogService().listProducts(query, call);
      expect(r.ok, JSON.stringify(query)).toBe(false);
      if (!r.ok) expect(JSON.stringify(r.problem)).toContain(field);
    }
  });
});

describe("full-text search", () => {
  const insert = async (id: string, title: string, description: string, attributes: Record<string, string> = {}) => {
    const category = await env.DB.prepare("SELECT id FROM categories WHERE parent_id IS NOT NULL LIMIT 1").first<{ id: string }>();
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO products (id, slug, merchant_id, title, description, brand, category_id, status, flash_sale, price_min, currency, created_at, updated_at)
         VALUES (?, ?, 'mer_test', ?, ?, 'Acme', ?, 'active', 0, 1000, 'USD', ?, ?)`,
      ).bind(id, id, title, description, category?.id ?? "", now, now),
      ...Object.entries(attributes).map(([name, value]) =>
        env.DB.prepare("INSERT INTO product_attributes (product_id, name, value) VALUES (?, ?, ?)").bind(id, name, value),
      ),
    ]);
  };
  const search = async (q: string) => page(await catalogService().listProducts({ q, limit: 50 }, call)).items.map((i) => i.id);

  it("finds by word prefix, ignores accents, searches attributes, and ranks a title match above a description match", async () => {
    await insert("fts-creme", "Crème brûlée torch", "For the kitchen");
    await insert("fts-desc", "Kitchen blowtorch", "Makes a perfect creme brulee crust");
    await insert("fts-isbn", "A quiet novel", "Pages", { isbn10: "0306406152" });
    expect(await search("creme brulee")).toEqual(["fts-creme", "fts-desc"]);
    expect(await search("brûl")).toEqual(expect.arrayContaining(["fts-creme", "fts-desc"]));
    expect(await search("0306406152")).toEqual(["fts-isbn"]);
    expect(await search('"quoted" OR NEAR(')).toEqual([]);
  });

  it("stays in step with every product and attribute write (triggers, same transaction)", async () => {
    await insert("fts-rename", "Zephyr lamp", "Bright", { finish: "quokkawood" });
    expect(await search("zephyr")).toEqual(["fts-rename"]);
    await env.DB.prepare("UPDATE products SET title = 'Aurora lamp' WHERE id = 'fts-rename'").run();
    expect(await search("zephyr")).toEqual([]);
    expect(await search("aurora")).toEqual(["fts-rename"]);
    expect(await search("quokkawood")).toEqual(["fts-rename"]);
    await env.DB.prepare("DELETE FROM product_attributes WHERE product_id = 'fts-rename'").run();
    expect(await search("quokkawood")).toEqual([]);
    await env.DB.prepare("DELETE FROM products WHERE id = 'fts-rename'").run();
    expect(await search("aurora")).toEqual([]);
  });

  it("pages through a ranked search without repeats or gaps", async () => {
    const word = catalog[0]?.brand.split(" ")[0] ?? "a";
    const all = page(await catalogService().listProducts({ q: word, limit: 100 }, call)).items.map((i) => i.id);
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const p = page(await catalogService().listProducts({ q: word, limit: 3, ...(cursor ? { cursor } : {}) }, call));
      paged.push(...p.items.map((item) => item.id));
      if (p.nextCursor === null) break;
      cursor = p.nextCursor;
    }
    expect(all.length).toBeGreaterThan(0);
    expect(paged).toEqual(all);
  });
});
