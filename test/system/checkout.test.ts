import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardIndexOf } from "#shared/order-id.ts";
import {
  countOrderShards,
  countShards,
  orderShardDbs,
  readOrderShards,
  readShards,
  type ShardedWorker,
} from "../../scripts/order-shards.ts";
import { eventually, pickSku } from "./cart-client.ts";
import { CARDS, checkoutBody, shopper, stockOf, twoMerchantSkus } from "./checkout-client.ts";
import { api, uniqueEmail } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

// Checkout through the real runtime: storefront → orders (Checkout objects, D1) → Cart and Inventory objects
// → payments (test provider, D1 ledger). The orders Worker runs with a Checkout object that crashes where the
// email says (workers/orders/test/orders-with-faults.ts) and a short watchdog, so interrupted checkouts settle
// within the test.
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let n = 0;
const nextIp = () => `203.0.113.${++n % 250}`;
const key = () => `key-${crypto.randomUUID()}`;

beforeAll(async () => {
  platform = await boot(state.dir, {
    demoSize: 200,
    vars: { orders: { CHECKOUT_WATCHDOG_SECONDS: "1" } },
    entries: { orders: "workers/orders/test/orders-with-faults.ts" },
  });
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

async function signedIn(ip: string) {
  const email = uniqueEmail("buyer");
  const reg = await api(platform).register(email, "correct horse battery", "Buyer", ip);
  expect(reg.status).toBe(201);
  return { email, token: String(reg.body.accessToken), userId: String((reg.body.user as { id: string }).id) };
}

const countRows = (sql: string, ...args: unknown[]): Promise<number> => countOrderShards(platform.miniflare, sql, ...args);

/** The order's authorizations on every shard of the payments ledger (its own shard should hold them all). */
const authorizations = (orderId: string): Promise<number> =>
  countShards(platform.miniflare, "payments", "SELECT COUNT(*) AS n FROM ledger WHERE payment_id = ? AND kind = 'authorize'", orderId);

describe("checkout", () => {
  it("a guest buys from two merchants: one payment, one part per merchant, totals from the server, stock committed", async () => {
    const [a, b] = await twoMerchantSkus(platform);
    const [beforeA, beforeB] = [await stockOf(platform, a.sku), await stockOf(platform, b.sku)];
    const guest = shopper(platform, nextIp());
    const cart = await guest.cart([
      { sku: a.sku, quantity: 2 },
      { sku: b.sku, quantity: 1 },
    ]);
    const quote = await guest.shop("GET", `/v1/checkout/quote?cartId=${cart.id}&country=GB`, {
      headers: { "x-cart-token": String(cart.token) },
    });
    expect(quote.status).toBe(200);
    const quoted = quote.body as {
      total: { amount: number };
      subtotal: { amount: number };
      installments: { schedule: { amount: number }[]; total: { amount: number } }[];
    };
    expect(quoted.subtotal.amount).toBe(2 * a.price + b.price);
    for (const plan of quoted.installments) expect(plan.schedule.reduce((s, p) => s + p.amount, 0)).toBe(plan.total.amount);

    const idem = key();
    // Client-sent totals are not read: the body has none, and extra fields change nothing.
    const placed = await guest.checkout(cart, idem);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const order = placed.body.order as {
      id: string;
      status: string;
      parts: { merchantId: string }[];
      totals: { total: { amount: number } };
      payment: { brand: string; last4: string };
    };
    expect(order.status).toBe("paid");
    expect(order.parts.map((p) => p.merchantId).sort()).toEqual(["mer_northwind", "mer_trailhead"]);
    expect(order.totals.total.amount).toBe(quoted.total.amount);
    expect(order.payment).toMatchObject({ brand: "visa", last4: "4242" });
    expect(placed.body.orderToken).toEqual(expect.any(String));

    expect(await stockOf(platform, a.sku)).toMatchObject({ onHand: beforeA.onHand - 2, held: beforeA.held });
    expect(await stockOf(platform, b.sku)).toMatchObject({ onHand: beforeB.onHand - 1, held: beforeB.held });
    const emptied = await guest.shop("GET", `/v1/carts/${cart.id}`, { headers: { "x-cart-token": String(cart.token) } });
    expect(emptied.body.items).toEqual([]);

    // The same key and body: the same answer, nothing done again.
    const again = await guest.checkout(cart, idem);
    expect(again.status).toBe(201);
    expect((again.body.order as { id: string }).id).toBe(order.id);
    expect(again.body.orderToken).toBe(placed.body.orderToken);
    expect(await authorizations(order.id)).toBe(1);
    // The payment is on the payments shard of the number its order's id names, as the order is on the orders shard.
    const perShard = async (worker: ShardedWorker, sql: string) =>
      (await readShards<{ n: number }>(platform.miniflare, worker, sql, order.id)).map((r) => r.n);
    const orderOn = await perShard("orders", "SELECT COUNT(*) AS n FROM orders WHERE id = ?");
    expect(orderOn.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await perShard("payments", "SELECT COUNT(*) AS n FROM payments WHERE payment_id = ?")).toEqual(orderOn);
    // The same key with another body: refused.
    const other = await guest.checkout(cart, idem, checkoutBody(cart.id, CARDS.success, { email: "someone-else@example.com" }));
    expect(other.status).toBe(422);
    // Someone who knows the cart id and the key but not the cart's token learns nothing.
    const stranger = await shopper(platform, nextIp()).checkout({ id: cart.id, token: "guessed" }, idem);
    expect(stranger.status).toBe(422);
    expect(stranger.body.orderToken).toBeUndefined();

    // The guest reads the order with its token; nobody reads it without.
    const read = await guest.shop("GET", `/v1/orders/${order.id}`, { headers: { "x-order-token": String(placed.body.orderToken) } });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: order.id, status: "paid" });
    expect((await guest.shop("GET", `/v1/orders/${order.id}`)).status).toBe(404);
    expect((await guest.shop("GET", `/v1/orders/${order.id}`, { headers: { "x-order-token": "forged" } })).status).toBe(404);

    // The card number is nowhere in the orders database: brand and last 4 only.
    for (const table of ["orders", "order_parts", "order_lines", "order_transitions", "outbox"]) {
      const rows = await readOrderShards(platform.miniflare, `SELECT * FROM ${table}`);
      expect(JSON.stringify(rows)).not.toContain(CARDS.success);
    }

    // Events left through the outbox after the state was durable: placed and paid, then the outbox is empty.
    expect(await countRows("SELECT COUNT(*) AS n FROM order_transitions WHERE order_id = ?", order.id)).toBe(2);
    expect(
      await eventually(
        () => countRows("SELECT COUNT(*) AS n FROM outbox"),
        (x) => x === 0,
      ),
    ).toBe(0);
  });

  it("a signed-in shopper finds the order in their history; another shopper gets 404 for it", async () => {
    const ip = nextIp();
    const me = await signedIn(ip);
    const [a] = await twoMerchantSkus(platform);
    const buyer = shopper(platform, ip, me.token);
    const cart = await buyer.cart([{ sku: a.sku, quantity: 1 }]);
    const placed = await buyer.checkout(cart, key(), checkoutBody(cart.id, CARDS.success, { email: me.email }));
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body.orderToken).toBeUndefined();
    const id = (placed.body.order as { id: string }).id;
    const mine = await buyer.shop("GET", "/v1/orders");
    expect((mine.body.items as { id: string }[]).map((o) => o.id)).toContain(id);
    expect((await buyer.shop("GET", `/v1/orders/${id}`)).status).toBe(200);

    const stranger = await signedIn(nextIp());
    const theirs = shopper(platform, nextIp(), stranger.token);
    expect((await theirs.shop("GET", `/v1/orders/${id}`)).status).toBe(404);
    expect((await theirs.shop("GET", "/v1/orders")).body.items).toEqual([]);
    // Someone else's cart is not there for them either.
    const cart2 = await buyer.cart([{ sku: a.sku, quantity: 1 }]);
    expect((await theirs.checkout(cart2, key())).status).toBe(404);
    expect((await shopper(platform, nextIp()).shop("GET", "/v1/orders")).status).toBe(401);
  });

  it("records an installment plan and a warranty, as the quote offered them; a plan or warranty not offered is a 400", async () => {
    const gadget = await pickSku(
      platform,
      "v.available >= 20 AND p.flash_sale = 0 AND v.price_amount >= 10000 AND p.category_id IN (SELECT id FROM categories WHERE path LIKE '/electronics/%')",
    );
    const guest = shopper(platform, nextIp());
    const cart = await guest.cart([{ sku: gadget.sku, quantity: 2 }]);
    const headers = { "x-cart-token": String(cart.token) };
    const quote = (await guest.shop("GET", `/v1/checkout/quote?cartId=${cart.id}&country=DE`, { headers })).body as {
      warranties: { sku: string; planId: string; years: number; price: { amount: number } }[];
      installments: { months: number; apr: number; total: { amount: number } }[];
      total: { amount: number };
    };
    const offer = quote.warranties.find((w) => w.sku === gadget.sku && w.years === 2);
    expect(offer).toBeDefined();
    expect(quote.installments.map((p) => p.months)).toEqual([3, 6, 12]);

    const bad = await guest.checkout(
      cart,
      key(),
      checkoutBody(cart.id, CARDS.success, { warranties: [{ sku: gadget.sku, planId: "lifetime" }] }),
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain("warranties");

    const body = checkoutBody(cart.id, CARDS.success, {
      installments: { months: 12 },
      warranties: [{ sku: gadget.sku, planId: offer?.planId }],
      shippingAddress: { name: "Max", line1: "Hauptstr. 1", city: "Berlin", postalCode: "10115", country: "DE" },
    });
    const placed = await guest.checkout(cart, key(), body);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const order = placed.body.order as {
      items: { kind: string; sku: string; coversSku?: string; lineTotal: { amount: number } }[];
      totals: { subtotal: { amount: number }; total: { amount: number } };
      payment: { installments?: { months: number; total: { amount: number } } };
    };
    const warranty = order.items.find((i) => i.kind === "warranty");
    expect(warranty).toMatchObject({ coversSku: gadget.sku, lineTotal: { amount: offer?.price.amount } });
    expect(order.totals.subtotal.amount).toBe(2 * gadget.price + (offer?.price.amount ?? 0));
    expect(order.payment.installments?.months).toBe(12);
    // Interest is on top of the order total, never below it.
    expect(order.payment.installments?.total.amount).toBeGreaterThan(order.totals.total.amount);
  });

  it("refuses bad requests with 400s that name the field", async () => {
    const guest = shopper(platform, nextIp());
    const empty = await guest.cart([]);
    const res = await guest.checkout(empty, key());
    expect(res.status).toBe(400);
    expect(res.type).toContain("application/problem+json");

    const [a] = await twoMerchantSkus(platform);
    const cart = await guest.cart([{ sku: a.sku, quantity: 1 }]);
    const noKey = await guest.checkout(cart, undefined);
    expect(noKey.status).toBe(400);
    expect(JSON.stringify(noKey.body.errors)).toContain("Idempotency-Key");
    expect((await guest.checkout(cart, "k".repeat(256))).status).toBe(400);
    expect((await guest.checkout(cart, "has space")).status).toBe(400);

    const badCard = await guest.checkout(cart, key(), checkoutBody(cart.id, "4242424242424241"));
    expect(badCard.status).toBe(400);
    expect(JSON.stringify(badCard.body.errors)).toContain("payment.card.number");
    const badCountry = await guest.checkout(cart, key(), {
      ...checkoutBody(cart.id),
      shippingAddress: { name: "X", line1: "1", city: "Y", postalCode: "1", country: "ZZ" },
    });
    expect(badCountry.status).toBe(400);
    expect(JSON.stringify(badCountry.body.errors)).toContain("shippingAddress.country");
    const wrongToken = await guest.checkout({ id: cart.id, token: "not-the-token" }, key());
    expect(wrongToken.status).toBe(404);
    // Nothing was taken by any of these.
    expect((await guest.shop("GET", `/v1/carts/${cart.id}`, { headers: { "x-cart-token": String(cart.token) } })).body.itemCount).toBe(1);
  });

  it("a declined card, insufficient funds and a provider timeout are 402s that give the stock back", async () => {
    const [a] = await twoMerchantSkus(platform);
    for (const [card, reason] of [
      [CARDS.declined, "card_declined"],
      [CARDS.insufficientFunds, "insufficient_funds"],
      [CARDS.timeout, "provider_timeout"],
    ] as const) {
      const ip = nextIp();
      const me = await signedIn(ip);
      const buyer = shopper(platform, ip, me.token);
      const before = await stockOf(platform, a.sku);
      const cart = await buyer.cart([{ sku: a.sku, quantity: 3 }]);
      const res = await buyer.checkout(cart, key(), checkoutBody(cart.id, card, { email: me.email }));
      expect(res.status, JSON.stringify(res.body)).toBe(402);
      expect(res.body.reason).toBe(reason);
      expect(await stockOf(platform, a.sku)).toEqual(before);
      // The order exists and ended payment_failed, never in between; the cart keeps its lines to try again.
      const orders = (await buyer.shop("GET", "/v1/orders")).body.items as { status: string }[];
      expect(orders.map((o) => o.status)).toEqual(["payment_failed"]);
      expect((await buyer.shop("GET", `/v1/carts/${cart.id}`)).body.itemCount).toBe(3);
    }
  });

  it("a SKU sold out between cart and checkout is a 409 naming it, and nothing stays held", async () => {
    const plenty = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_pageturner'");
    const scarce = await pickSku(platform, "v.available BETWEEN 2 AND 10 AND p.flash_sale = 0");
    const { available } = await stockOf(platform, scarce.sku);
    const first = shopper(platform, nextIp());
    const second = shopper(platform, nextIp());
    const cart1 = await first.cart([{ sku: scarce.sku, quantity: available }]);
    const cart2 = await second.cart([
      { sku: plenty.sku, quantity: 1 },
      { sku: scarce.sku, quantity: 1 },
    ]);
    expect((await first.checkout(cart1, key())).status).toBe(201);
    const plentyBefore = await stockOf(platform, plenty.sku);
    const res = await second.checkout(cart2, key());
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.body.errors)).toContain(scarce.sku);
    expect(JSON.stringify(res.body.errors)).not.toContain(plenty.sku);
    expect(await stockOf(platform, plenty.sku)).toEqual(plentyBefore);
    expect(await stockOf(platform, scarce.sku)).toMatchObject({ onHand: 0, held: 0 });
  });

  it("20 concurrent checkouts with one key make one order and one authorization", async () => {
    const [a] = await twoMerchantSkus(platform);
    const guest = shopper(platform, nextIp());
    const cart = await guest.cart([{ sku: a.sku, quantity: 1 }]);
    const idem = key();
    const answers = await Promise.all(Array.from({ length: 20 }, () => guest.checkout(cart, idem)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ids = new Set(answers.map((r) => (r.body.order as { id: string }).id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await countRows("SELECT COUNT(*) AS n FROM orders WHERE cart_id = ?", cart.id)).toBe(1);
    expect(await authorizations(String(id))).toBe(1);
  });

  it("N+40 concurrent checkouts of different carts for the last N units: exactly N orders and 40 clean 409s", async () => {
    const sku = await pickSku(platform, "v.available >= 100 AND p.flash_sale = 0 AND p.merchant_id = 'mer_pageturner'");
    const last = 5;
    const { onHand, available } = await stockOf(platform, sku.sku);
    // Sell all but the last N through the Inventory object itself, as other shoppers would have.
    const ns = await platform.miniflare.getDurableObjectNamespace("INVENTORY", "durable-objects");
    const inventory = ns.get(ns.idFromName(sku.sku)) as unknown as {
      adjust(op: string, delta: number, reason: string): Promise<{ ok: boolean }>;
    };
    expect((await inventory.adjust(`test-${sku.sku}`, -(available - last), "test: leave the last units")).ok).toBe(true);
    const buyers = Array.from({ length: last + 40 }, () => shopper(platform, nextIp()));
    const carts = await Promise.all(buyers.map(async (b) => ({ buyer: b, cart: await b.cart([{ sku: sku.sku, quantity: 1 }]) })));
    const answers = await Promise.all(carts.map(({ buyer, cart }) => buyer.checkout(cart, key())));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(last);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    for (const r of answers.filter((x) => x.status === 409)) expect(JSON.stringify(r.body.errors)).toContain(sku.sku);
    expect(await stockOf(platform, sku.sku)).toMatchObject({ onHand: onHand - (available - last) - last, held: 0, available: 0 });
  });

  it("a SKU sold out while another was already sold: 409, the sold units come back, no order and no payment", async () => {
    const ip = nextIp();
    const buyer = shopper(platform, ip);
    const [a, b] = await twoMerchantSkus(platform);
    const before = [await stockOf(platform, a.sku), await stockOf(platform, b.sku)];
    const ledgerRows = () => countShards(platform.miniflare, "payments", "SELECT COUNT(*) AS n FROM ledger");
    const paymentsBefore = await ledgerRows();
    const cart = await buyer.cart([
      { sku: a.sku, quantity: 2 },
      { sku: b.sku, quantity: 1 },
    ]);
    const email = "fault+second-sku-sold-out@example.com";
    const refused = await buyer.checkout(cart, key(), checkoutBody(cart.id, CARDS.success, { email }));
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(JSON.stringify(refused.body.errors)).toContain(b.sku);
    // Stock is refused before any money moves or any order is written.
    expect(await countRows("SELECT COUNT(*) AS n FROM orders WHERE email = ?", email)).toBe(0);
    expect(await ledgerRows()).toBe(paymentsBefore);
    expect([await stockOf(platform, a.sku), await stockOf(platform, b.sku)]).toEqual(before);
  });

  it("a crash after the charge settles by itself: the order ends paid, stock sold, the same key answers it", async () => {
    const ip = nextIp();
    const me = await signedIn(ip);
    const buyer = shopper(platform, ip, me.token);
    const [a] = await twoMerchantSkus(platform);
    const before = await stockOf(platform, a.sku);
    const cart = await buyer.cart([{ sku: a.sku, quantity: 1 }]);
    const idem = key();
    const body = checkoutBody(cart.id, CARDS.success, { email: "fault+crash-after-charge@example.com" });
    const crashed = await buyer.checkout(cart, idem, body);
    expect(crashed.status).toBe(503);
    expect(crashed.headers.get("retry-after")).toBeTruthy();
    // Nobody retries: the Checkout object's alarm finishes it.
    const settled = await eventually(
      async () => (await buyer.shop("GET", "/v1/orders")).body.items as { id: string; status: string }[],
      (orders) => orders[0]?.status === "paid",
      20_000,
    );
    expect(settled.map((o) => o.status)).toEqual(["paid"]);
    expect(await stockOf(platform, a.sku)).toMatchObject({ onHand: before.onHand - 1, held: before.held });
    const answer = await buyer.checkout(cart, idem, body);
    expect(answer.status).toBe(201);
    expect((answer.body.order as { id: string }).id).toBe(settled[0]?.id);
    expect(await authorizations(String(settled[0]?.id))).toBe(1);
  });

  it("a crash after the stock was sold but before payment is undone by itself: payment_failed, stock back", async () => {
    const ip = nextIp();
    const me = await signedIn(ip);
    const buyer = shopper(platform, ip, me.token);
    const [a] = await twoMerchantSkus(platform);
    const before = await stockOf(platform, a.sku);
    const cart = await buyer.cart([{ sku: a.sku, quantity: 2 }]);
    const crashed = await buyer.checkout(
      cart,
      key(),
      checkoutBody(cart.id, CARDS.success, { email: "fault+crash-after-takeStock@example.com" }),
    );
    expect(crashed.status).toBe(503);
    const settled = await eventually(
      async () => (await buyer.shop("GET", "/v1/orders")).body.items as { status: string }[],
      (orders) => orders[0]?.status === "payment_failed",
      20_000,
    );
    expect(settled.map((o) => o.status)).toEqual(["payment_failed"]);
    expect(
      await eventually(
        () => stockOf(platform, a.sku),
        (s) => s.held === before.held,
      ),
    ).toEqual(before);
  });
  it("orders spread over the shards, and every row of an order is in the shard its id names", async () => {
    const dbs = await orderShardDbs(platform.miniflare);
    expect(dbs.length).toBeGreaterThan(1);
    const holding: number[] = [];
    for (const [index, db] of dbs.entries()) {
      const { results } = await db.prepare("SELECT id FROM orders").all<{ id: string }>();
      for (const { id } of results) expect(shardIndexOf(id, dbs.length), id).toBe(index);
      if (results.length > 0) holding.push(index);
      // No part, line, history row or shipment of an order that is on another shard.
      for (const table of ["order_parts", "order_lines", "order_transitions", "order_shipments"]) {
        const stray = await db
          .prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE order_id NOT IN (SELECT id FROM orders)`)
          .first<{ n: number }>();
        expect(stray?.n, table).toBe(0);
      }
    }
    // This file alone places dozens of orders at random: every shard has some.
    expect(holding).toEqual([...dbs.keys()]);
  });
});
