import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, eventually, pickSku } from "./cart-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 200 });
  api = client(platform);
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

describe("cart API through the storefront", () => {
  it("creates a guest cart with an id and a token", async () => {
    const { res } = await api.newCart();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^crt_/),
      token: expect.any(String),
      items: [],
      subtotal: { amount: 0, currency: "USD" },
    });
  });

  it("adds (quantities add up), sets and removes lines, pricing from the catalog", async () => {
    const a = await pickSku(platform, "v.available >= 20 AND p.flash_sale = 0");
    const b = await pickSku(platform, `v.available >= 20 AND p.flash_sale = 0 AND v.sku > '${a.sku}'`);
    const { id, token } = await api.newCart();
    await api.call("POST", `/v1/carts/${id}/items`, { token, body: { sku: a.sku, quantity: 2 } });
    const added = await api.call("POST", `/v1/carts/${id}/items`, {
      token,
      body: { sku: a.sku, quantity: 3, unitPrice: { amount: 1, currency: "USD" } },
    });
    expect(added.status).toBe(200);
    expect(added.body.items).toEqual([
      expect.objectContaining({ sku: a.sku, quantity: 5, unitPrice: { amount: a.price, currency: "USD" } }),
    ]);

    await api.call("POST", `/v1/carts/${id}/items`, { token, body: { sku: b.sku, quantity: 1 } });
    const set = await api.call("PATCH", `/v1/carts/${id}/items/${a.sku}`, { token, body: { quantity: 4 } });
    expect(set.body).toMatchObject({ itemCount: 5, subtotal: { amount: 4 * a.price + b.price, currency: "USD" } });

    const removed = await api.call("DELETE", `/v1/carts/${id}/items/${a.sku}`, { token });
    expect((removed.body.items as { sku: string }[]).map((i) => i.sku)).toEqual([b.sku]);
    const view = await api.call("GET", `/v1/carts/${id}`, { token });
    expect(view.body).toMatchObject({ itemCount: 1, subtotal: { amount: b.price } });
  });

  // Carts price from an in-isolate cache (5 s), so a change shows within that bound; checkout (and its quote)
  // always asks the catalog, so what is charged is never stale.
  it("shows a price the catalog changed since the item was added within 5 s, and the quote at once", async () => {
    const a = await pickSku(platform, "v.available >= 5 AND p.flash_sale = 0 AND v.sku LIKE 'L%'");
    const { id, token } = await api.newCart();
    await api.call("POST", `/v1/carts/${id}/items`, { token, body: { sku: a.sku, quantity: 1 } });
    const db = await platform.miniflare.getD1Database("DB", "catalog");
    await db
      .prepare("UPDATE variants SET price_amount = ? WHERE sku = ?")
      .bind(a.price + 500, a.sku)
      .run();
    const quote = await api.call("GET", `/v1/checkout/quote?cartId=${id}`, { token });
    expect(quote.body).toMatchObject({ subtotal: { amount: a.price + 500 } });
    const started = Date.now();
    const view = await eventually(
      () => api.call("GET", `/v1/carts/${id}`, { token }),
      (v) => (v.body.subtotal as { amount: number }).amount === a.price + 500,
      10_000,
    );
    expect(Date.now() - started).toBeLessThan(7_000);
    expect(view.body.items).toEqual([
      expect.objectContaining({
        sku: a.sku,
        unitPrice: { amount: a.price + 500, currency: "USD" },
        priceChanged: { from: { amount: a.price, currency: "USD" } },
      }),
    ]);
    expect(view.body).toMatchObject({ subtotal: { amount: a.price + 500 } });
  });

  it("holds flash-sale stock at add-to-cart, live on the product page and, soon, in the listing snapshot", async () => {
    const f = await pickSku(platform, "v.available >= 5 AND p.flash_sale = 1");
    const before = await api.available(f.slug, f.sku);
    const { id, token } = await api.newCart();
    const added = await api.call("POST", `/v1/carts/${id}/items`, { token, body: { sku: f.sku, quantity: 2 } });
    expect(added.body.items).toEqual([expect.objectContaining({ sku: f.sku, heldUntil: expect.any(String) })]);
    expect(await api.available(f.slug, f.sku)).toBe(before - 2);
    // Three is over the flash-sale share of one shopper (2): refused, and the hold stays as it was.
    const over = await api.call("PATCH", `/v1/carts/${id}/items/${f.sku}`, { token, body: { quantity: 3 } });
    expect([over.status, over.body.limit]).toEqual([409, 2]);
    expect(await api.available(f.slug, f.sku)).toBe(before - 2);
    await api.call("PATCH", `/v1/carts/${id}/items/${f.sku}`, { token, body: { quantity: 1 } });
    expect(await api.available(f.slug, f.sku)).toBe(before - 1);

    const db = await platform.miniflare.getD1Database("DB", "catalog");
    const snapshot = () => db.prepare("SELECT available FROM variants WHERE sku = ?").bind(f.sku).first<{ available: number }>();
    expect((await eventually(snapshot, (r) => r?.available === before - 1))?.available).toBe(before - 1);

    await api.call("DELETE", `/v1/carts/${id}/items/${f.sku}`, { token });
    expect(await api.available(f.slug, f.sku)).toBe(before);
  });

  it("answers bad input, strangers and short stock with the right problem", async () => {
    const a = await pickSku(platform, "v.available BETWEEN 1 AND 98 AND p.flash_sale = 0");
    const { id, token } = await api.newCart();
    const other = await api.newCart();
    const add = (body: unknown, t = token, cart = id) => api.call("POST", `/v1/carts/${cart}/items`, { token: t, body });

    for (const quantity of [0, -1, 1.5, 100, 1e12, "two", null]) {
      const res = await add({ sku: a.sku, quantity });
      expect([quantity, res.status, res.type]).toEqual([quantity, 400, "application/problem+json"]);
      expect((res.body.errors as { field: string }[])[0]?.field).toBe("quantity");
    }
    const missingSku = await add({ quantity: 1 });
    expect([missingSku.status, (missingSku.body.errors as { field: string }[])[0]?.field]).toEqual([400, "sku"]);
    const malformed = await api.call("POST", `/v1/carts/${id}/items`, { token, rawBody: "{not json" });
    expect(malformed.status).toBe(400);

    const unknown = await add({ sku: "NO-SUCH-SKU", quantity: 1 });
    expect(unknown).toMatchObject({ status: 404, body: { detail: expect.stringContaining("NO-SUCH-SKU") } });

    const tooMany = await add({ sku: a.sku, quantity: Math.min(99, a.available + 1) });
    expect(tooMany).toMatchObject({ status: 409, body: { available: a.available, requested: Math.min(99, a.available + 1), sku: a.sku } });

    for (const [label, res] of [
      ["wrong token", await api.call("GET", `/v1/carts/${id}`, { token: other.token })],
      ["no token", await api.call("GET", `/v1/carts/${id}`)],
      ["stranger adds", await add({ sku: a.sku, quantity: 1 }, other.token)],
      ["stranger removes", await api.call("DELETE", `/v1/carts/${id}/items/${a.sku}`, { token: "x" })],
      ["no such cart", await api.call("GET", "/v1/carts/crt_AAAAAAAAAAAAAAAAAAAAAA", { token })],
      ["malformed id", await api.call("GET", "/v1/carts/../../etc", { token })],
    ] as const) {
      expect([label, res.status]).toEqual([label, 404]);
    }
    const mine = await api.call("GET", `/v1/carts/${id}`, { token });
    expect(mine.body.items).toEqual([]);
  });
});
