import { env } from "cloudflare:test";
import { beforeAll, expect, it } from "vitest";
import type { ProductPage } from "#schema/catalog/dto.ts";
import { call, catalogService, TEST_SHOP_SIZE, withDemoShop } from "./service.ts";

beforeAll(withDemoShop);

async function next(cursor?: string): Promise<ProductPage> {
  const r = await catalogService().listProducts({ limit: 25, cursor }, call);
  if (!r.ok) throw new Error(JSON.stringify(r.problem));
  return r.value;
}

it("keeps pages stable while products are added: nothing repeats, nothing is skipped", async () => {
  const seen: string[] = [];
  let page = await next();
  seen.push(...page.items.map((p) => p.id));
  let added = 0;
  while (page.nextCursor !== null) {
    // A merchant publishes a product between every two page loads (newer than everything listed).
    added++;
    await env.DB.prepare(
      "INSERT INTO products (id, slug, merchant_id, title, description, brand, category_id, status, price_min, currency, created_at, updated_at) VALUES (?, ?, 'mer_test', 'New arrival', 'Fresh', 'Test', 'cat_phones', 'active', 1000, 'USD', ?, ?)",
    )
      .bind(`prd_new${added}`, `new-arrival-${added}`, Date.now() + added, Date.now() + added)
      .run();
    page = await next(page.nextCursor);
    seen.push(...page.items.map((p) => p.id));
  }
  expect(added).toBeGreaterThan(2);
  expect(seen).toHaveLength(TEST_SHOP_SIZE);
  expect(new Set(seen).size).toBe(TEST_SHOP_SIZE);
  expect(seen.some((id) => id.startsWith("prd_new"))).toBe(false);
});
