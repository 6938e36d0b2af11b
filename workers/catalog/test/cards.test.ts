import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { catalogDb } from "../src/db.ts";
import { cardsQuery } from "../src/products/cards.ts";
import { call, catalogService, withDemoShop } from "./service.ts";

beforeAll(withDemoShop);

async function slugsOf(category: string, limit: number): Promise<string[]> {
  const list = await catalogService().listProducts({ category, limit }, call);
  if (!list.ok) throw new Error(JSON.stringify(list.problem));
  return list.value.items.map((p) => p.slug);
}

describe("productCards", () => {
  it("answers active products with stock, by slug, and leaves the rest out", async () => {
    const slugs = await slugsOf("fiction", 5);
    const cards = await catalogService().productCards([...slugs, "no-such-product"], call);
    if (!cards.ok) throw new Error(JSON.stringify(cards.problem));
    for (const slug of Object.keys(cards.value)) expect(slugs).toContain(slug);
    expect(cards.value["no-such-product"]).toBeUndefined();
    const first = Object.keys(cards.value)[0] ?? "";
    expect(cards.value[first]?.slug).toBe(first);
    const out = await env.DB.prepare("SELECT id FROM products WHERE slug = ?").bind(first).first<{ id: string }>();
    await env.DB.prepare("UPDATE variants SET available = 0 WHERE product_id = ?").bind(out?.id).run();
    const after = await catalogService().productCards(slugs, call);
    if (!after.ok) throw new Error(JSON.stringify(after.problem));
    expect(after.value[first]).toBeUndefined();
  });

  // A recommendation load asks for a couple of dozen slugs on every cold product page: it must look them up by
  // the unique slug index whatever the catalog's size (found at 100,000 products walking the status index).
  it("looks the slugs up by their unique index, not by walking the active products", async () => {
    const { sql, params } = cardsQuery(catalogDb(env.DB), await slugsOf("fiction", 24)).toSQL();
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const products = results.map((r) => r.detail).find((d) => /\bproducts\b/.test(d));
    expect(products).toMatch(/SEARCH products USING INDEX products_slug_uq \(slug=\?\)/);
  });
});
