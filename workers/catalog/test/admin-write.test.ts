import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Result } from "#shared/result.ts";
import { call, catalogService, withDemoShop } from "./service.ts";

beforeAll(withDemoShop);

let n = 0;
const newSku = () => `W-${Date.now().toString(36)}-${++n}`.toUpperCase();
const variant = (sku: string) => ({ sku, title: `Variant ${sku}`, price: { amount: 1000, currency: "EUR" } });
const body = (skus: string[]) => ({
  title: "Write Path Lamp",
  brand: "Lumen",
  category: "audio",
  status: "active",
  variants: skus.map(variant),
});
const fields = (result: Result<unknown>) => (result.ok ? [] : result.problem.errors?.map((e) => e.field));

async function created(merchant: string, skus: string[]): Promise<string> {
  const result = await catalogService().createProduct(merchant, body(skus), call);
  if (!result.ok) throw new Error(JSON.stringify(result.problem));
  return result.value.id;
}

describe("a variant leaving its product", () => {
  it("is archived with its SKU, which no product may take again", async () => {
    const [gone, kept] = [newSku(), newSku()];
    const id = await created("mer_a", [gone, kept]);
    const patched = await catalogService().updateProduct("mer_a", id, { variants: [variant(kept)] }, call);
    if (!patched.ok) throw new Error(JSON.stringify(patched.problem));
    expect(patched.value.variants.map((v) => v.sku)).toEqual([kept]);
    expect(patched.value.archivedVariants).toMatchObject([{ sku: gone, title: `Variant ${gone}`, archivedAt: expect.any(String) }]);

    // Still its merchant's (its stock history stays reachable), no longer for sale, and taken for good.
    expect(await catalogService().skuOwners([gone], call)).toMatchObject({
      ok: true,
      value: { [gone]: { productId: id, archived: true } },
    });
    expect(await catalogService().getPurchasables([gone], call)).toMatchObject({ ok: true, value: { [gone]: { purchasable: false } } });
    const theirs = await catalogService().createProduct("mer_b", body([newSku(), gone]), call);
    expect(theirs).toMatchObject({ ok: false, problem: { status: 409 } });
    expect(fields(theirs)).toEqual(["variants.1.sku"]);
    const back = await catalogService().updateProduct("mer_a", id, { variants: [variant(kept), variant(gone)] }, call);
    expect(back).toMatchObject({ ok: false, problem: { status: 409 } });
    expect(fields(back)).toEqual(["variants.1.sku"]);
  });

  it("cannot be revived or handed to another product by any write: the database refuses", async () => {
    const [gone, kept] = [newSku(), newSku()];
    const id = await created("mer_a", [gone, kept]);
    const other = await created("mer_b", [newSku()]);
    await catalogService().updateProduct("mer_a", id, { variants: [variant(kept)] }, call);
    await expect(env.DB.prepare("UPDATE variants SET archived_at = NULL WHERE sku = ?").bind(gone).run()).rejects.toThrow(/variants\.sku/);
    await expect(env.DB.prepare("UPDATE variants SET product_id = ? WHERE sku = ?").bind(other, kept).run()).rejects.toThrow(
      /variants\.sku/,
    );
  });

  it("gives a SKU to one of two writers racing for it, however their steps interleave; the other gets a 409 naming the field", async () => {
    for (let lag = 0; lag < 6; lag++) {
      const id = await created("mer_a", [newSku()]);
      const contested = newSku();
      const [patch, create] = await Promise.all([
        (async () => {
          // The product's edit starts a few queries late, so that its check and its write fall on either side of
          // the other writer's for some lag: the unique key or the trigger must then refuse it.
          for (let i = 0; i < lag; i++) await env.DB.prepare("SELECT 1").run();
          return catalogService().updateProduct("mer_a", id, { variants: [variant(newSku()), variant(contested)] }, call);
        })(),
        catalogService().createProduct("mer_b", body([contested]), call),
      ]);
      expect([patch.ok, create.ok].filter(Boolean), `lag ${lag}`).toHaveLength(1);
      const loser = patch.ok ? create : patch;
      expect(loser).toMatchObject({ ok: false, problem: { status: 409 } });
      expect(fields(loser)).toEqual([patch.ok ? "variants.0.sku" : "variants.1.sku"]);
      const owner = await catalogService().skuOwners([contested], call);
      expect(owner).toMatchObject({ ok: true, value: { [contested]: { merchantId: patch.ok ? "mer_a" : "mer_b" } } });
    }
  });
});
