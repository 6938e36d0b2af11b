import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { owner, tokenOf, waitFor } from "./after-sale-client.ts";
import { checkoutBody, type Json, shopper, stockOf } from "./checkout-client.ts";
import { type CallOptions, call, type Reply } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

// A SKU names its Inventory object, so a SKU that another variant could take would hand over the first one's
// stock, holds and history. A removed variant is archived and keeps its SKU for ever, whoever asks for it next.
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let northwind: string;
let trailhead: string;

const admin = (method: string, path: string, token: string, options: CallOptions = {}): Promise<Reply> =>
  call(platform.adminUrl, method, path, { token, ...options });

let skuCounter = 0;
const newSku = () => `RET-${Date.now().toString(36)}-${++skuCounter}`.toUpperCase();
const variant = (sku: string, title = "Standard") => ({ sku, title, price: { amount: 2500, currency: "USD" } });
const product = (variants: Json[]): Json => ({
  title: "Retirement Test Kettle",
  brand: "Northwind Labs",
  category: "audio",
  status: "active",
  variants,
});
const fieldsOf = (reply: Reply) => (reply.body.errors as { field: string }[] | undefined)?.map((e) => e.field);

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 60 });
  [northwind, trailhead] = await Promise.all([tokenOf(platform, owner("northwind")), tokenOf(platform, owner("trailhead"))]);
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

describe("removing a variant", () => {
  it("archives it: its SKU is never taken again, its history stays with its merchant, and nobody can hold or stock it", async () => {
    const [sold, fresh, kept] = [newSku(), newSku(), newSku()];
    const created = await admin("POST", "/admin/v1/products", northwind, {
      body: product([variant(sold, "Red"), variant(fresh, "Blue"), variant(kept, "Green")]),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id, slug } = created.body as { id: string; slug: string };
    expect(
      (await admin("POST", `/admin/v1/inventory/${sold}/adjustments`, northwind, { body: { delta: 5, reason: "delivery" } })).status,
    ).toBe(200);
    await waitFor(
      () => call(platform.url, "GET", `/v1/products/${slug}`),
      (r) => r.status === 200,
      10_000,
    );
    // One sold; another shopper has it in a cart (not a flash sale: nothing held yet).
    const buyer = shopper(platform, "198.51.100.41");
    const bought = await buyer.checkout(await buyer.cart([{ sku: sold, quantity: 1 }]), `key-${crypto.randomUUID()}`);
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    const later = shopper(platform, "198.51.100.42");
    const waiting = await later.cart([{ sku: sold, quantity: 1 }]);

    // The merchant drops two variants: the one with stock and history, and one never stocked.
    const patched = await admin("PATCH", `/admin/v1/products/${id}`, northwind, { body: { variants: [variant(kept, "Green")] } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((patched.body.variants as { sku: string }[]).map((v) => v.sku)).toEqual([kept]);

    // Another merchant cannot take either SKU, nor can the same merchant in another product or this one.
    const theirs = await admin("POST", "/admin/v1/products", trailhead, { body: product([variant(newSku()), variant(sold)]) });
    expect(theirs.status, JSON.stringify(theirs.body)).toBe(409);
    expect(fieldsOf(theirs)).toEqual(["variants.1.sku"]);
    const unused = await admin("POST", "/admin/v1/products", trailhead, { body: product([variant(fresh)]) });
    expect(unused.status, JSON.stringify(unused.body)).toBe(409);
    expect(fieldsOf(unused)).toEqual(["variants.0.sku"]);
    expect((await admin("POST", "/admin/v1/products", northwind, { body: product([variant(sold)]) })).status).toBe(409);
    const back = await admin("PATCH", `/admin/v1/products/${id}`, northwind, {
      body: { variants: [variant(kept, "Green"), variant(fresh, "Blue")] },
    });
    expect(back.status, JSON.stringify(back.body)).toBe(409);
    expect(fieldsOf(back)).toEqual(["variants.1.sku"]);
    // The merchant still sees what was removed, and when.
    expect((patched.body.archivedVariants as { sku: string; archivedAt: string }[]).map((v) => v.sku).sort()).toEqual([sold, fresh].sort());

    // The history stays readable by its merchant only, and nothing moved.
    const history = await admin("GET", `/admin/v1/inventory/${sold}`, northwind);
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    expect(history.body).toMatchObject({ productId: id, onHand: 4, held: 0, retiredAt: expect.any(Number) });
    expect((history.body.movements as { kind: string }[]).map((m) => m.kind).sort()).toEqual(["adjustment", "sale"]);
    expect((await admin("GET", `/admin/v1/inventory/${sold}`, trailhead)).status).toBe(404);

    // Frozen: no adjustment, no new cart line, no checkout of the line already in a cart.
    const adjusted = await admin("POST", `/admin/v1/inventory/${sold}/adjustments`, northwind, { body: { delta: 3, reason: "found" } });
    expect(adjusted.status, JSON.stringify(adjusted.body)).toBe(409);
    const adding = shopper(platform, "198.51.100.43");
    const cart = await adding.shop("POST", "/v1/carts");
    const added = await adding.shop("POST", `/v1/carts/${String(cart.body.id)}/items`, {
      body: { sku: sold, quantity: 1 },
      headers: { "x-cart-token": String(cart.body.token) },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(409);
    const refused = await later.checkout(waiting, `key-${crypto.randomUUID()}`, checkoutBody(waiting.id));
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(JSON.stringify(refused.body.errors)).toContain(sold);
    expect(await stockOf(platform, sold)).toMatchObject({ onHand: 4, held: 0 });

    // Shoppers see only the variant that is left.
    const page = await waitFor(
      () => call(platform.url, "GET", `/v1/products/${slug}`),
      (r) => (r.body.variants as { sku: string }[] | undefined)?.length === 1,
      10_000,
    );
    expect((page.body.variants as { sku: string }[]).map((v) => v.sku)).toEqual([kept]);
  });

  it("an archived product keeps its SKUs too", async () => {
    const taken = newSku();
    const created = await admin("POST", "/admin/v1/products", northwind, { body: product([variant(taken)]) });
    expect((await admin("DELETE", `/admin/v1/products/${String(created.body.id)}`, northwind)).body).toMatchObject({ status: "archived" });
    const theirs = await admin("POST", "/admin/v1/products", trailhead, { body: product([variant(taken)]) });
    expect(theirs.status).toBe(409);
    expect(fieldsOf(theirs)).toEqual(["variants.0.sku"]);
  });
});
