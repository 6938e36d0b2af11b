import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePng } from "../../workers/catalog/seed/png.ts";
import { earlyInClockMinute } from "./after-sale-client.ts";
import { pickSku } from "./cart-client.ts";
import { CARDS, checkoutBody } from "./checkout-client.ts";
import { type Exchange, OpenApiContract, type OpenApiDocument } from "./openapi-validator.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

/**
 * The OpenAPI documents are the contract's machine form: every route in them, and every response valid
 * against them. This plays a shopper's and a merchant's journey through every operation of both documents
 * (read from the running platform, so a new operation fails "exercised" until the journey covers it) and
 * checks every answer against the document: status documented, content type documented for that status,
 * JSON body valid against its schema (ajv, JSON Schema 2020-12).
 */

type ApiName = "shop" | "admin";
type Sent = {
  api: ApiName;
  exchange: Exchange;
  /** Why this request is deliberately outside the documents (an unknown path, the documents' own pages). */
  outside?: string;
};
type Reply = { status: number; type: string | null; headers: Headers; text: string; body: Record<string, unknown> };
type SendOptions = {
  token?: string;
  body?: unknown;
  rawBody?: string;
  /** A binary body with its own content type (an image upload). */
  bytes?: { data: Uint8Array; type: string };
  headers?: Record<string, string>;
  outside?: string;
};

const DEMO_PASSWORD = "demo-shop-2026";
const OWNER = "owner@northwind.demo.edge-commerce.dev";
const DOCUMENTS: Record<ApiName, string> = { shop: "/v1/openapi.json", admin: "/admin/openapi.json" };

const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
const contracts = {} as Record<ApiName, OpenApiContract>;
const sent: Sent[] = [];
let clients = 0;
const key = () => `conformance-${crypto.randomUUID()}`;
const email = (tag: string) => `${tag}-${crypto.randomUUID().slice(0, 8)}@example.com`;

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 60 });
  for (const api of ["shop", "admin"] as const) {
    const res = await send(api, "GET", DOCUMENTS[api], { outside: "the OpenAPI document itself" });
    expect(res.status).toBe(200);
    contracts[api] = new OpenApiContract(api, res.body as unknown as OpenApiDocument);
  }
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

/** One request as a client at an address of its own (so no per-client limit is met); every answer is kept. */
async function send(api: ApiName, method: string, path: string, options: SendOptions = {}): Promise<Reply> {
  clients++;
  const headers: Record<string, string> = {
    "cf-connecting-ip": `198.51.${Math.floor(clients / 250)}.${1 + (clients % 250)}`,
    ...options.headers,
  };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const json = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (json !== undefined) headers["content-type"] = "application/json";
  if (options.bytes !== undefined) headers["content-type"] = options.bytes.type;
  const payload = options.bytes === undefined ? json : new Blob([options.bytes.data as Uint8Array<ArrayBuffer>]);
  const res = await fetch(new URL(path, api === "shop" ? platform.url : platform.adminUrl), {
    method,
    headers,
    body: payload,
    redirect: "manual",
  });
  const type = res.headers.get("content-type");
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = type !== null && /json|text|html/.test(type) ? new TextDecoder().decode(bytes) : bytes.length > 0 ? "(binary)" : "";
  let body: Record<string, unknown> = {};
  if (type?.includes("json") && text !== "") body = JSON.parse(text) as Record<string, unknown>;
  sent.push({
    api,
    exchange: { method, path, status: res.status, contentType: type, body: text },
    ...(options.outside === undefined ? {} : { outside: options.outside }),
  });
  return { status: res.status, type, headers: res.headers, text, body };
}

const shop = (method: string, path: string, options?: SendOptions) => send("shop", method, path, options);
const admin = (method: string, path: string, options?: SendOptions) => send("admin", method, path, options);
const cartHeaders = (token: string) => ({ "x-cart-token": token });
const str = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
};

/** A plentiful SKU not on flash sale and not among `except`. */
async function plentifulSku(except: string[] = []) {
  const not = except.map((s) => `'${s.replaceAll("'", "''")}'`).join(", ");
  return pickSku(platform, `v.available >= 20 AND p.flash_sale = 0${except.length > 0 ? ` AND v.sku NOT IN (${not})` : ""}`);
}

async function sellOut(sku: string): Promise<void> {
  const ns = await platform.miniflare.getDurableObjectNamespace("INVENTORY", "durable-objects");
  const inventory = ns.get(ns.idFromName(sku)) as unknown as {
    stock(): Promise<{ available: number }>;
    adjust(op: string, delta: number, reason: string): Promise<{ ok: boolean }>;
  };
  const { available } = await inventory.stock();
  expect((await inventory.adjust(`conformance-${sku}`, -available, "test: sold out elsewhere")).ok).toBe(true);
}

async function guestCart(lines: { sku: string; quantity: number }[]): Promise<{ id: string; token: string }> {
  const made = await shop("POST", "/v1/carts");
  expect(made.status).toBe(201);
  const cart = { id: str(made.body.id), token: str(made.body.token) };
  for (const line of lines) {
    const added = await shop("POST", `/v1/carts/${cart.id}/items`, { body: line, headers: cartHeaders(cart.token) });
    expect(added.status, added.text).toBe(200);
  }
  return cart;
}

describe("the OpenAPI documents are the contract", () => {
  it("a shopper's and a merchant's journey through every documented operation", async () => {
    // Discovery: keys, docs, categories, products, images.
    expect.soft((await shop("GET", "/.well-known/jwks.json")).status).toBe(200);
    expect.soft((await shop("GET", "/docs", { outside: "the documents' rendering" })).status).toBe(200);
    const categories = await shop("GET", "/v1/categories");
    expect.soft(categories.status).toBe(200);
    const category = str((categories.body.items as { slug: string }[])[0]?.slug);
    const page = await shop("GET", "/v1/products?limit=3");
    expect.soft(page.status).toBe(200);
    expect.soft((await shop("GET", `/v1/products?limit=3&cursor=${encodeURIComponent(str(page.body.nextCursor))}`)).status).toBe(200);
    expect.soft((await shop("GET", `/v1/products?category=${category}&sort=price_asc&inStock=true&limit=5`)).status).toBe(200);
    const first = (page.body.items as { slug: string; title: string; image: { url: string } | null }[])[0];
    expect.soft((await shop("GET", `/v1/products?q=${encodeURIComponent(str(first?.title.split(" ")[0]))}`)).status).toBe(200);
    const faceted = await shop(
      "GET",
      `/v1/products?category=${category}&facets=true&priceMin=0&priceMax=100000&ratingMin=1&brand=A&brand=B&attr.color=red`,
    );
    expect.soft(faceted.status, faceted.text).toBe(200);
    expect.soft(faceted.body.facets).toMatchObject({ brand: expect.any(Array), priceBand: expect.any(Array), inStock: { value: "true" } });
    expect.soft((await shop("GET", "/v1/products?priceMin=500&priceMax=100")).status).toBe(400);
    expect.soft((await shop("GET", "/v1/products?sort=relevance")).status).toBe(400);
    const detail = await shop("GET", `/v1/products/${str(first?.slug)}`);
    expect.soft(detail.status).toBe(200);
    const imageUrl = (detail.body.images as { url: string }[])[0]?.url ?? first?.image?.url;
    const image = await shop("GET", str(imageUrl));
    expect.soft(image.status).toBe(200);
    expect.soft(image.type).toMatch(/^image\//);
    const etag = str(image.headers.get("etag"));
    expect.soft((await shop("GET", str(imageUrl), { headers: { "if-none-match": etag } })).status).toBe(304);
    // Browsing errors.
    expect.soft((await shop("GET", "/v1/products?limit=0")).status).toBe(400);
    expect.soft((await shop("GET", "/v1/products?category=no-such-category")).status).toBe(404);
    expect.soft((await shop("GET", "/v1/products/no-such-product")).status).toBe(404);
    // A parameter past its documented bound (maxLength) is a 400 too, here and below.
    expect.soft((await shop("GET", `/v1/products/${"x".repeat(201)}`)).status).toBe(400);
    expect.soft((await shop("GET", "/v1/no-such-route", { outside: "an unknown path" })).status).toBe(404);

    // A guest cart: add, set, remove; the cart's errors.
    const a = await plentifulSku();
    const b = await plentifulSku([a.sku]);
    const cart = await guestCart([{ sku: a.sku, quantity: 2 }]);
    const guest = { headers: cartHeaders(cart.token) };
    expect.soft((await shop("GET", `/v1/carts/${cart.id}`, guest)).status).toBe(200);
    expect.soft((await shop("POST", `/v1/carts/${cart.id}/items`, { ...guest, body: { sku: b.sku, quantity: 1 } })).status).toBe(200);
    expect.soft((await shop("PATCH", `/v1/carts/${cart.id}/items/${a.sku}`, { ...guest, body: { quantity: 3 } })).status).toBe(200);
    expect.soft((await shop("DELETE", `/v1/carts/${cart.id}/items/${b.sku}`, guest)).status).toBe(200);
    expect.soft((await shop("GET", `/v1/carts/${cart.id}`)).status).toBe(404);
    expect.soft((await shop("GET", `/v1/carts/${cart.id}`, { ...guest, token: "not-a-jwt" })).status).toBe(401);
    expect.soft((await shop("POST", `/v1/carts/${cart.id}/items`, { ...guest, body: { sku: b.sku, quantity: 0 } })).status).toBe(400);
    expect.soft((await shop("PATCH", `/v1/carts/${cart.id}/items/${a.sku}`, { ...guest, body: { quantity: "many" } })).status).toBe(400);
    expect.soft((await shop("DELETE", `/v1/carts/${cart.id}/items/${a.sku}`, { headers: cartHeaders("wrong") })).status).toBe(404);
    expect.soft((await shop("GET", `/v1/carts/crt_${"x".repeat(64)}`, guest)).status).toBe(400);
    expect.soft((await shop("DELETE", `/v1/carts/${cart.id}/items/${"x".repeat(65)}`, guest)).status).toBe(400);

    // The quote, then a guest checkout (201) and the guest reading the order with its token.
    expect.soft((await shop("GET", `/v1/checkout/quote?cartId=${cart.id}&country=GB`, guest)).status).toBe(200);
    // How this (local) shop takes payment: card numbers, to the test provider.
    const methods = await shop("GET", "/v1/checkout/payment-methods");
    expect.soft(methods.status).toBe(200);
    expect.soft(methods.body).toEqual({ items: [{ method: "card", provider: "test" }] });
    expect.soft((await shop("GET", `/v1/checkout/quote?cartId=${cart.id}&country=ZZ`, guest)).status).toBe(400);
    expect.soft((await shop("GET", `/v1/checkout/quote?cartId=${cart.id}`, { headers: cartHeaders("wrong") })).status).toBe(404);
    const idem = key();
    const placed = await shop("POST", "/v1/checkout", {
      body: checkoutBody(cart.id, CARDS.success),
      headers: { ...guest.headers, "idempotency-key": idem },
    });
    expect.soft(placed.status, placed.text).toBe(201);
    const guestOrder = str((placed.body.order as { id: string }).id);
    const orderToken = str(placed.body.orderToken);
    expect.soft((await shop("GET", `/v1/orders/${guestOrder}`, { headers: { "x-order-token": orderToken } })).status).toBe(200);
    expect.soft((await shop("GET", `/v1/orders/${guestOrder}`)).status).toBe(404);
    expect.soft((await shop("GET", `/v1/orders/ord_${"x".repeat(64)}`, { headers: { "x-order-token": orderToken } })).status).toBe(400);
    // The same key with another body: 422. No key: 400. A cart that is not the caller's: 404.
    const other = checkoutBody(cart.id, CARDS.success, { email: "someone-else@example.com" });
    expect
      .soft((await shop("POST", "/v1/checkout", { body: other, headers: { ...guest.headers, "idempotency-key": idem } })).status)
      .toBe(422);
    expect.soft((await shop("POST", "/v1/checkout", { body: other, headers: guest.headers })).status).toBe(400);
    expect
      .soft((await shop("POST", "/v1/checkout", { body: other, headers: { ...cartHeaders("wrong"), "idempotency-key": key() } })).status)
      .toBe(404);

    // Sold out between cart and checkout: 409 (and adding it again to a cart: 409).
    const scarce = await plentifulSku([a.sku, b.sku]);
    const doomed = await guestCart([{ sku: scarce.sku, quantity: 1 }]);
    await sellOut(scarce.sku);
    const soldOut = await shop("POST", "/v1/checkout", {
      body: checkoutBody(doomed.id),
      headers: { ...cartHeaders(doomed.token), "idempotency-key": key() },
    });
    expect.soft(soldOut.status, soldOut.text).toBe(409);
    expect.soft((await shop("POST", `/v1/carts/${cart.id}/items`, { ...guest, body: { sku: scarce.sku, quantity: 1 } })).status).toBe(409);

    // An account: register with a guest cart merged in; the registration's errors.
    const before = await guestCart([{ sku: b.sku, quantity: 1 }]);
    const me = email("conformance");
    const password = "correct horse battery";
    const registered = await shop("POST", "/v1/auth/register", {
      body: { email: me, password, name: "Conformance Shopper", cart: before },
    });
    expect.soft(registered.status, registered.text).toBe(201);
    const token = str(registered.body.accessToken);
    // The guest order above joins the new account with its order token; a wrong token finds nothing.
    expect.soft((await shop("POST", `/v1/orders/${guestOrder}/claim`, { token, headers: { "x-order-token": "wrong" } })).status).toBe(404);
    expect.soft((await shop("POST", `/v1/orders/${guestOrder}/claim`, { token })).status).toBe(400);
    expect
      .soft((await shop("POST", `/v1/orders/${guestOrder}/claim`, { token, headers: { "x-order-token": orderToken } })).status)
      .toBe(200);
    expect.soft((await shop("POST", "/v1/auth/register", { body: { email: me, password, name: "Again" } })).status).toBe(409);
    expect
      .soft((await shop("POST", "/v1/auth/register", { body: { email: email("short"), password: "short", name: "X" } })).status)
      .toBe(400);
    // Profile and export; no token is a 401.
    expect.soft((await shop("GET", "/v1/me", { token })).status).toBe(200);
    expect.soft((await shop("GET", "/v1/me")).status).toBe(401);
    expect.soft((await shop("GET", "/v1/me/export", { token })).status).toBe(200);
    expect.soft((await shop("GET", "/v1/me/export")).status).toBe(401);
    // Sign in, refresh, reuse (401), sign out; sign-in and refresh errors.
    expect.soft((await shop("POST", "/v1/auth/login", { body: { email: me, password: "not the password" } })).status).toBe(401);
    expect.soft((await shop("POST", "/v1/auth/login", { body: { email: me } })).status).toBe(400);
    const login = await shop("POST", "/v1/auth/login", { body: { email: me, password } });
    expect.soft(login.status).toBe(200);
    const refreshed = await shop("POST", "/v1/auth/refresh", { body: { refreshToken: login.body.refreshToken } });
    expect.soft(refreshed.status).toBe(200);
    expect.soft((await shop("POST", "/v1/auth/refresh", { body: { refreshToken: login.body.refreshToken } })).status).toBe(401);
    expect.soft((await shop("POST", "/v1/auth/refresh", { body: {} })).status).toBe(400);
    expect.soft((await shop("POST", "/v1/auth/logout", { body: { refreshToken: registered.body.refreshToken } })).status).toBe(204);
    expect.soft((await shop("POST", "/v1/auth/logout", { body: {} })).status).toBe(400);

    // Signed in: the own cart (200, it exists since the merge), quote, checkout, order history.
    const own = await shop("POST", "/v1/carts", { token });
    expect.soft(own.status).toBe(200);
    const ownId = str(own.body.id);
    expect.soft((await shop("POST", `/v1/carts/${ownId}/items`, { token, body: { sku: a.sku, quantity: 1 } })).status).toBe(200);
    expect.soft((await shop("GET", `/v1/checkout/quote?cartId=${ownId}&country=DE`, { token })).status).toBe(200);
    const mine = await shop("POST", "/v1/checkout", {
      token,
      body: checkoutBody(ownId, CARDS.success, { email: me }),
      headers: { "idempotency-key": key() },
    });
    expect.soft(mine.status, mine.text).toBe(201);
    const myOrder = str((mine.body.order as { id: string }).id);
    expect.soft((await shop("GET", "/v1/orders", { token })).status).toBe(200);
    expect.soft((await shop("GET", "/v1/orders")).status).toBe(401);
    expect.soft((await shop("GET", `/v1/orders/${myOrder}`, { token })).status).toBe(200);

    // A declined card (402) for another shopper, whose own cart is new (201); then they erase their account.
    const declinedEmail = email("declined");
    const other2 = await shop("POST", "/v1/auth/register", { body: { email: declinedEmail, password, name: "Declined Shopper" } });
    expect.soft(other2.status).toBe(201);
    const token2 = str(other2.body.accessToken);
    const cart2 = await shop("POST", "/v1/carts", { token: token2 });
    expect.soft(cart2.status).toBe(201);
    const cart2Id = str(cart2.body.id);
    expect.soft((await shop("POST", `/v1/carts/${cart2Id}/items`, { token: token2, body: { sku: a.sku, quantity: 1 } })).status).toBe(200);
    const declined = await shop("POST", "/v1/checkout", {
      token: token2,
      body: checkoutBody(cart2Id, CARDS.declined, { email: declinedEmail }),
      headers: { "idempotency-key": key() },
    });
    expect.soft(declined.status, declined.text).toBe(402);
    expect.soft((await shop("GET", "/v1/orders", { token: token2 })).status).toBe(200);
    expect.soft((await shop("GET", `/v1/orders/${myOrder}`, { token: token2 })).status).toBe(404);
    expect.soft((await shop("DELETE", "/v1/me", { token: token2 })).status).toBe(204);
    expect.soft((await shop("GET", "/v1/me", { token: token2 })).status).toBe(401);
    expect.soft((await shop("DELETE", "/v1/me")).status).toBe(401);

    // Payment webhooks: an unsigned Stripe event is refused.
    const webhook = await shop("POST", "/v1/webhooks/payments/stripe", {
      rawBody: JSON.stringify({ id: "evt_unsigned", type: "payment_intent.succeeded", data: { object: {} } }),
    });
    expect.soft([400, 401]).toContain(webhook.status);

    // The merchant API: the owner's products; a shopper is 403, no token 401, bad input 400.
    expect.soft((await admin("GET", "/docs", { outside: "the documents' rendering" })).status).toBe(200);
    const owner = await shop("POST", "/v1/auth/login", { body: { email: OWNER, password: DEMO_PASSWORD } });
    expect.soft(owner.status).toBe(200);
    const ownerToken = str(owner.body.accessToken);
    const products = await admin("GET", "/admin/v1/products?limit=5", { token: ownerToken });
    expect.soft(products.status).toBe(200);
    if (typeof products.body.nextCursor === "string") {
      const next = `/admin/v1/products?limit=5&cursor=${encodeURIComponent(products.body.nextCursor)}`;
      expect.soft((await admin("GET", next, { token: ownerToken })).status).toBe(200);
    }
    expect.soft((await admin("GET", "/admin/v1/products?limit=0", { token: ownerToken })).status).toBe(400);
    expect.soft((await admin("GET", "/admin/v1/products?merchantId=mer_trailhead", { token: ownerToken })).status).toBe(403);
    expect.soft((await admin("GET", "/admin/v1/products?status=lost", { token: ownerToken })).status).toBe(400);
    expect.soft((await admin("GET", "/admin/v1/products", { token })).status).toBe(403);
    expect.soft((await admin("GET", "/admin/v1/products")).status).toBe(401);
    expect.soft((await admin("GET", "/admin/v1/no-such-route", { token: ownerToken, outside: "an unknown path" })).status).toBe(404);

    // After the sale, as the platform admin (who acts for any merchant): pack, ship, deliver the signed-in
    // shopper's order; the shopper gets the invoice and returns a line; the admin approves and receives it.
    expect.soft((await shop("GET", "/health")).status).toBe(200);
    expect.soft((await admin("GET", "/health")).status).toBe(200);
    const carrier = await shop("POST", "/v1/webhooks/carrier", { body: { id: "evt-unsigned", trackingNumber: "T1", status: "delivered" } });
    expect.soft(carrier.status).toBe(401);
    const adminLogin = await shop("POST", "/v1/auth/login", { body: { email: "admin@demo.edge-commerce.dev", password: DEMO_PASSWORD } });
    const adminToken = str(adminLogin.body.accessToken);
    expect
      .soft(
        (await shop("POST", `/v1/orders/${myOrder}/returns`, { token, body: { lines: [{ sku: a.sku, quantity: 1 }], reason: "early" } }))
          .status,
      )
      .toBe(409);
    expect.soft((await shop("POST", `/v1/orders/${myOrder}/returns`, { token, body: { lines: [], reason: "" } })).status).toBe(400);
    let shipments = await admin("GET", `/admin/v1/shipments?orderId=${myOrder}`, { token: adminToken });
    for (let i = 0; i < 50 && (shipments.body.items as unknown[] | undefined)?.length !== 1; i++) {
      await new Promise((r) => setTimeout(r, 200));
      shipments = await admin("GET", `/admin/v1/shipments?orderId=${myOrder}`, { token: adminToken });
    }
    expect.soft(shipments.status).toBe(200);
    const shipmentId = str((shipments.body.items as { id: string }[] | undefined)?.[0]?.id);
    expect.soft((await shop("GET", `/v1/orders/${myOrder}/invoice`, { token })).status).toBe(200);
    expect.soft((await shop("GET", `/v1/orders/${myOrder}/invoice?part=mer_nobody`, { token })).status).toBe(404);
    expect.soft((await admin("GET", "/admin/v1/shipments?status=lost", { token: adminToken })).status).toBe(400);
    expect.soft((await admin("POST", `/admin/v1/shipments/${shipmentId}/delivered`, { token: adminToken })).status).toBe(409);
    expect.soft((await admin("POST", `/admin/v1/shipments/${shipmentId}/packed`, { token: adminToken })).status).toBe(200);
    const shipBody = { carrier: "UPS", trackingNumber: "1Z-CONFORMANCE" };
    expect.soft((await admin("POST", `/admin/v1/orders/${myOrder}/shipments`, { token: adminToken, body: shipBody })).status).toBe(201);
    expect.soft((await admin("POST", `/admin/v1/orders/${myOrder}/shipments`, { token: adminToken, body: {} })).status).toBe(400);
    expect.soft((await admin("POST", "/admin/v1/orders/ord_nope/shipments", { token: adminToken, body: shipBody })).status).toBe(404);
    expect.soft((await admin("POST", `/admin/v1/shipments/${shipmentId}/delivered`, { token: adminToken })).status).toBe(200);
    expect.soft((await admin("POST", "/admin/v1/shipments/shp_nope/packed", { token: adminToken })).status).toBe(404);
    const returned = await shop("POST", `/v1/orders/${myOrder}/returns`, {
      token,
      body: { lines: [{ sku: a.sku, quantity: 1 }], reason: "Changed my mind" },
    });
    expect.soft(returned.status, returned.text).toBe(201);
    const returnId = str((returned.body.return as { id: string } | undefined)?.id);
    expect.soft((await admin("GET", "/admin/v1/returns", { token: adminToken })).status).toBe(200);
    expect.soft((await admin("GET", "/admin/v1/returns?status=lost", { token: adminToken })).status).toBe(400);
    expect.soft((await admin("POST", `/admin/v1/returns/${returnId}/receive`, { token: adminToken })).status).toBe(409);
    expect.soft((await admin("POST", `/admin/v1/returns/${returnId}/approve`, { token: adminToken })).status).toBe(200);
    expect.soft((await admin("POST", `/admin/v1/returns/${returnId}/receive`, { token: adminToken })).status).toBe(200);
    expect.soft((await admin("POST", "/admin/v1/returns/rma_nope/approve", { token: adminToken })).status).toBe(404);
    // Reviews (the order above was delivered, so its buyer may review), recommendations, reports.
    const review = { rating: 5, title: "Great", body: "Exactly as described." };
    expect.soft((await shop("GET", `/v1/products/${a.slug}/reviews`)).status).toBe(200);
    // The order's copy of its shipment follows fulfilment's delivered event within a moment.
    let reviewed = await shop("POST", `/v1/products/${a.slug}/reviews`, { token, body: review });
    for (let i = 0; i < 50 && reviewed.status === 403; i++) {
      await new Promise((r) => setTimeout(r, 200));
      reviewed = await shop("POST", `/v1/products/${a.slug}/reviews`, { token, body: review });
    }
    expect.soft(reviewed.status, reviewed.text).toBe(201);
    expect.soft((await shop("POST", `/v1/products/${a.slug}/reviews`, { token, body: review })).status).toBe(409);
    expect.soft((await shop("POST", `/v1/products/${a.slug}/reviews`, { token, body: { ...review, rating: 0 } })).status).toBe(400);
    expect.soft((await shop("POST", `/v1/products/${a.slug}/reviews`, { body: review })).status).toBe(401);
    expect.soft((await shop("GET", "/v1/recommendations?for=trending&limit=4")).status).toBe(200);
    expect.soft((await shop("GET", `/v1/recommendations?for=${a.slug}`)).status).toBe(200);
    expect.soft((await shop("GET", "/v1/recommendations?for=no-such-product")).status).toBe(404);
    expect.soft((await admin("GET", "/admin/v1/reviews?status=published", { token: adminToken })).status).toBe(200);
    const moderation = { id: str(reviewed.body.id), status: "hidden" };
    expect.soft((await admin("PATCH", "/admin/v1/reviews", { token: adminToken, body: moderation })).status).toBe(200);
    expect
      .soft((await admin("PATCH", "/admin/v1/reviews", { token: adminToken, body: { ...moderation, status: "gone" } })).status)
      .toBe(400);
    const today = new Date().toISOString().slice(0, 10);
    expect.soft((await admin("GET", `/admin/v1/reports/sales?from=${today}&to=${today}`, { token: ownerToken })).status).toBe(200);
    expect.soft((await admin("GET", `/admin/v1/reports/sales?from=${today}`, { token: ownerToken })).status).toBe(400);
    expect.soft((await admin("GET", `/admin/v1/reports/platform?from=${today}&to=${today}`, { token: adminToken })).status).toBe(200);
    expect.soft((await admin("GET", "/admin/v1/dead-letters?status=pending", { token: adminToken })).status).toBe(200);
    expect.soft((await admin("GET", "/admin/v1/dead-letters", { token: ownerToken })).status).toBe(403);
    expect.soft((await admin("POST", "/admin/v1/dead-letters/dl_nope/replay", { token: adminToken })).status).toBe(404);
    expect.soft((await admin("GET", "/admin/v1/operations/metrics?range=day", { token: adminToken })).status).toBe(200);
    expect.soft((await admin("GET", "/admin/v1/operations/metrics?range=week", { token: adminToken })).status).toBe(400);
    expect.soft((await admin("GET", "/admin/v1/operations/metrics", { token: ownerToken })).status).toBe(403);

    // The merchant's catalog, stock, orders, people and keys.
    expect.soft((await admin("GET", "/admin/v1/categories", { token: ownerToken })).status).toBe(200);
    expect.soft((await admin("GET", "/admin")).status).toBe(303); // the dashboard, without its session cookie
    const productBody = {
      title: "Conformance Kettle",
      brand: "Northwind Labs",
      category,
      status: "active",
      attributes: { volume: "1.7 l" },
      variants: [{ sku: `CONF-${Date.now()}`, title: "Steel", price: { amount: 3999, currency: "EUR" } }],
    };
    const made = await admin("POST", "/admin/v1/products", { token: ownerToken, body: productBody });
    expect.soft(made.status, made.text).toBe(201);
    const productId = str(made.body.id);
    expect.soft((await admin("POST", "/admin/v1/products", { token: ownerToken, body: { ...productBody, title: "" } })).status).toBe(400);
    expect.soft((await admin("POST", "/admin/v1/products", { token: ownerToken, body: productBody })).status).toBe(409);
    expect.soft((await admin("GET", `/admin/v1/products/${productId}`, { token: ownerToken })).status).toBe(200);
    expect.soft((await admin("GET", "/admin/v1/products/prd_nope", { token: ownerToken })).status).toBe(404);
    expect
      .soft((await admin("PATCH", `/admin/v1/products/${productId}`, { token: ownerToken, body: { flashSale: true } })).status)
      .toBe(200);
    expect.soft((await admin("PATCH", `/admin/v1/products/${productId}`, { token: ownerToken, body: {} })).status).toBe(400);
    const png = await encodePng(8, 6, () => [200, 80, 40]);
    const uploaded = await admin("POST", `/admin/v1/products/${productId}/images?alt=Kettle`, {
      token: ownerToken,
      bytes: { data: png, type: "image/png" },
    });
    expect.soft(uploaded.status, uploaded.text).toBe(201);
    const imageKey = str((uploaded.body.images as { key: string }[] | undefined)?.[0]?.key);
    const uploadedUrl = str((uploaded.body.images as { url: string }[] | undefined)?.[0]?.url);
    expect.soft((await admin("GET", uploadedUrl)).status).toBe(200);
    const notImage = { data: new TextEncoder().encode("not an image"), type: "image/png" };
    expect.soft((await admin("POST", `/admin/v1/products/${productId}/images`, { token: ownerToken, bytes: notImage })).status).toBe(415);
    expect
      .soft(
        (await admin("PATCH", `/admin/v1/products/${productId}/images/${imageKey}`, { token: ownerToken, body: { alt: "Steel kettle" } }))
          .status,
      )
      .toBe(200);
    expect.soft((await admin("DELETE", `/admin/v1/products/${productId}/images/${imageKey}`, { token: ownerToken })).status).toBe(200);
    const skuName = productBody.variants[0]?.sku ?? "";
    expect.soft((await admin("GET", `/admin/v1/inventory/${skuName}`, { token: ownerToken })).status).toBe(200);
    expect
      .soft(
        (await admin("POST", `/admin/v1/inventory/${skuName}/adjustments`, { token: ownerToken, body: { delta: 3, reason: "count" } }))
          .status,
      )
      .toBe(200);
    expect
      .soft(
        (await admin("POST", `/admin/v1/inventory/${skuName}/adjustments`, { token: ownerToken, body: { delta: -9, reason: "count" } }))
          .status,
      )
      .toBe(409);
    expect.soft((await admin("DELETE", `/admin/v1/products/${productId}`, { token: ownerToken })).status).toBe(200);
    expect.soft((await admin("GET", "/admin/v1/orders?status=paid", { token: ownerToken })).status).toBe(200);
    expect.soft((await admin("GET", "/admin/v1/orders?from=yesterday", { token: ownerToken })).status).toBe(400);
    expect.soft((await admin("GET", `/admin/v1/orders/${myOrder}`, { token: adminToken })).status).toBe(200);
    const invited = await admin("POST", "/admin/v1/staff", { token: ownerToken, body: { email: email("staff"), role: "merchant_staff" } });
    expect.soft(invited.status, invited.text).toBe(201);
    expect.soft((await admin("GET", "/admin/v1/staff", { token: ownerToken })).status).toBe(200);
    expect
      .soft(
        (await admin("PATCH", `/admin/v1/staff/${str(invited.body.id)}`, { token: ownerToken, body: { role: "merchant_owner" } })).status,
      )
      .toBe(200);
    const acceptBody = { token: str(invited.body.inviteToken), password: "conformance staff password", name: "Sam" };
    expect.soft((await admin("POST", "/admin/v1/invitations/accept", { body: acceptBody })).status).toBe(200);
    expect.soft((await admin("POST", "/admin/v1/invitations/accept", { body: acceptBody })).status).toBe(404);
    expect.soft((await admin("DELETE", `/admin/v1/staff/${str(invited.body.id)}`, { token: ownerToken })).status).toBe(204);
    expect.soft((await admin("DELETE", "/admin/v1/staff/usr_nope", { token: ownerToken })).status).toBe(404);
    const merchantBody = { name: "Conformance Goods", ownerEmail: email("merchant") };
    expect.soft((await admin("POST", "/admin/v1/merchants", { token: adminToken, body: merchantBody })).status).toBe(201);
    await earlyInClockMinute(); // the key's three requests below share one quota window
    const apiKey = await admin("POST", "/admin/v1/api-keys", {
      token: ownerToken,
      body: { name: "ERP", scope: "read", quotaPerMinute: 2 },
    });
    expect.soft(apiKey.status, apiKey.text).toBe(201);
    expect.soft((await admin("GET", "/admin/v1/api-keys", { token: ownerToken })).status).toBe(200);
    const keyToken = str(apiKey.body.key);
    expect.soft((await admin("GET", "/admin/v1/orders", { token: keyToken })).status).toBe(200);
    expect.soft((await admin("POST", "/admin/v1/products", { token: keyToken, body: productBody })).status).toBe(403);
    expect.soft((await admin("GET", "/admin/v1/orders", { token: keyToken })).status).toBe(429);
    expect.soft((await admin("DELETE", `/admin/v1/api-keys/${str(apiKey.body.id)}`, { token: ownerToken })).status).toBe(204);
    expect.soft((await admin("GET", "/admin/v1/orders", { token: keyToken })).status).toBe(401);
  });

  it("exercised every operation of both documents", () => {
    const missing: string[] = [];
    for (const api of ["shop", "admin"] as const) {
      const seen = new Set(sent.filter((s) => s.api === api).map((s) => contracts[api].match(s.exchange.method, pathOf(s))?.key));
      for (const op of contracts[api].operations) if (!seen.has(op.key)) missing.push(`${api}: ${op.key}`);
    }
    expect(missing, `operations the journey never reached:\n${missing.join("\n")}`).toEqual([]);
  });

  it("every answer is documented: status, content type and body schema", () => {
    const failures: string[] = [];
    for (const s of sent) {
      const { operation, problems } = contracts[s.api].check(s.exchange);
      if (operation === undefined) continue; // the next test's concern
      for (const problem of problems) failures.push(`${s.api} ${s.exchange.method} ${s.exchange.path} → ${s.exchange.status}: ${problem}`);
    }
    expect(failures, `${failures.length} answers depart from the documents:\n\n${failures.join("\n\n")}`).toEqual([]);
  });

  it("every route the journey used is in the documents; deliberate exceptions answer as expected", () => {
    const undocumented: string[] = [];
    for (const s of sent) {
      if (contracts[s.api].match(s.exchange.method, pathOf(s)) !== undefined) continue;
      if (s.outside === "an unknown path") {
        // Not a route: a 404 problem, valid against the document's Problem schema.
        expect(s.exchange.status).toBe(404);
        expect(s.exchange.contentType).toMatch(/^application\/problem\+json/);
        const errors = contracts[s.api].validate(["components", "schemas", "Problem"], JSON.parse(s.exchange.body));
        expect(errors, errors).toBeUndefined();
      } else if (s.outside === undefined) {
        undocumented.push(`${s.api} ${s.exchange.method} ${pathOf(s)} → ${s.exchange.status}`);
      }
    }
    expect(undocumented, `routes served but not in the documents:\n${undocumented.join("\n")}`).toEqual([]);
  });
});

function pathOf(s: Sent): string {
  return new URL(s.exchange.path, "http://x").pathname;
}
