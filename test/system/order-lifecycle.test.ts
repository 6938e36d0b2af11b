import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CARRIER_SECRET,
  carrierPost,
  carrierSignature,
  countIn,
  outboxOf,
  owner,
  PLATFORM_ADMIN,
  tokenOf,
  waitFor,
} from "./after-sale-client.ts";
import { pickSku } from "./cart-client.ts";
import { checkoutBody, type Json, shopper, stockOf, twoMerchantSkus } from "./checkout-client.ts";
import { call } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

// After the sale, through the real runtime and its local Queues: orders → order-events → fulfillment →
// fulfillment-events → orders, and both → notification-events → notifications; dead letters → admin.
// Every outbox sends each event three times (EVENT_COPIES), so every consumer meets every event type
// redelivered, and the counts below (one shipment, one invoice number, one refund, one email each, one
// restock) hold only if they dedupe.
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let n = 0;
const nextIp = () => `198.51.100.${++n % 250}`;
const key = () => `key-${crypto.randomUUID()}`;
const retryFast = { EVENT_RETRY_DELAY_SECONDS: "0", EVENT_MAX_ATTEMPTS: "3", EVENT_COPIES: "3" };

beforeAll(async () => {
  platform = await boot(state.dir, {
    demoSize: 200,
    entries: { orders: "workers/orders/test/orders-with-faults.ts" },
    vars: {
      orders: retryFast,
      fulfillment: { ...retryFast, CARRIER_WEBHOOK_SECRET: CARRIER_SECRET },
      notifications: { EVENT_RETRY_DELAY_SECONDS: "0", EVENT_MAX_ATTEMPTS: "3" },
    },
  });
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

type Order = {
  id: string;
  status: string;
  shipments: { id: string; status: string; carrier: string | null; trackingNumber: string | null }[];
};

async function buy(lines: { sku: string; quantity: number }[], email = `buyer-${crypto.randomUUID().slice(0, 8)}@example.com`) {
  const guest = shopper(platform, nextIp());
  const cart = await guest.cart(lines);
  const placed = await guest.checkout(cart, key(), { ...checkoutBody(cart.id), email });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  const order = placed.body.order as Order & { totals: { total: { amount: number } } };
  const orderToken = String(placed.body.orderToken);
  const read = async () =>
    (await call(platform.url, "GET", `/v1/orders/${order.id}`, { headers: { "x-order-token": orderToken } })).body as unknown as Order;
  return { order, orderToken, email, read, headers: { "x-order-token": orderToken } };
}

const admin = (token: string) => (method: string, path: string, body?: unknown) =>
  call(platform.adminUrl, method, path, { token, ...(body === undefined ? {} : { body }) });

describe("after the sale", () => {
  it("the whole chain: paid → shipped with tracking → delivered by the carrier → return → refund → stock back; one email of each", async () => {
    const item = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_northwind'");
    const before = await stockOf(platform, item.sku);
    const { order, read, headers, email } = await buy([{ sku: item.sku, quantity: 3 }]);
    expect((await stockOf(platform, item.sku)).onHand).toBe(before.onHand - 3);

    // order.paid → one pending shipment; the order follows it to `fulfilling`.
    const fulfilling = await waitFor(read, (o) => o.status === "fulfilling" && o.shipments.length === 1);
    expect(fulfilling).toMatchObject({ status: "fulfilling", shipments: [{ status: "pending", trackingNumber: null }] });

    const northwind = admin(await tokenOf(platform, owner("northwind")));
    const shipped = await northwind("POST", `/admin/v1/orders/${order.id}/shipments`, {
      carrier: "UPS",
      trackingNumber: "1Z999AA10123456784",
    });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);
    expect(shipped.body).toMatchObject({
      status: "shipped",
      carrier: "UPS",
      trackingNumber: "1Z999AA10123456784",
      items: [{ sku: item.sku, quantity: 3 }],
    });
    // Shipping again changes nothing; another merchant does not see the order's shipment at all.
    expect(
      (await northwind("POST", `/admin/v1/orders/${order.id}/shipments`, { carrier: "UPS", trackingNumber: "1Z999AA10123456784" })).status,
    ).toBe(201);
    const trailhead = admin(await tokenOf(platform, owner("trailhead")));
    expect((await trailhead("POST", `/admin/v1/orders/${order.id}/shipments`, { carrier: "UPS", trackingNumber: "X1" })).status).toBe(404);
    expect((await trailhead("POST", `/admin/v1/shipments/${String(shipped.body.id)}/delivered`)).status).toBe(404);

    const seen = await waitFor(read, (o) => o.status === "shipped");
    expect(seen.shipments).toEqual([expect.objectContaining({ status: "shipped", carrier: "UPS", trackingNumber: "1Z999AA10123456784" })]);

    // The carrier says it is delivered (signed, fresh); a resend of the same event changes nothing.
    const delivered = { id: `evt-${crypto.randomUUID()}`, trackingNumber: "1Z999AA10123456784", carrier: "UPS", status: "delivered" };
    const first = await carrierPost(platform, delivered, carrierSignature(JSON.stringify(delivered)));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ received: true, applied: true, duplicate: false, shipmentId: shipped.body.id });
    const again = await carrierPost(platform, delivered, carrierSignature(JSON.stringify(delivered)));
    expect(again.body).toMatchObject({ duplicate: true, applied: false });
    expect((await waitFor(read, (o) => o.status === "delivered")).status).toBe("delivered");

    // A partial return: one of the three units, refunded at exactly its share of price and tax.
    const tooMany = await call(platform.url, "POST", `/v1/orders/${order.id}/returns`, {
      headers,
      body: { lines: [{ sku: item.sku, quantity: 4 }], reason: "too many" },
    });
    expect(tooMany.status).toBe(409);
    expect(
      (
        await call(platform.url, "POST", `/v1/orders/${order.id}/returns`, {
          body: { lines: [{ sku: item.sku, quantity: 1 }], reason: "x" },
        })
      ).status,
    ).toBe(404);
    const asked = await call(platform.url, "POST", `/v1/orders/${order.id}/returns`, {
      headers,
      body: { lines: [{ sku: item.sku, quantity: 1 }], reason: "Arrived scratched" },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const rma = asked.body.return as { id: string; status: string; refund: { amount: number; currency: string } };
    const line = (await read()) as unknown as { items: { sku: string; lineTotal: { amount: number }; tax: { amount: number } }[] };
    const paidForLine =
      (line.items.find((l) => l.sku === item.sku)?.lineTotal.amount ?? 0) + (line.items.find((l) => l.sku === item.sku)?.tax.amount ?? 0);
    expect(rma).toMatchObject({ status: "requested", refund: { amount: Math.floor(paidForLine / 3) } });
    expect((await waitFor(read, (o) => o.status === "return_requested")).status).toBe("return_requested");

    const listed = await northwind("GET", "/admin/v1/returns?status=requested");
    expect((listed.body.items as { id: string }[]).map((r) => r.id)).toContain(rma.id);
    expect((await trailhead("POST", `/admin/v1/returns/${rma.id}/approve`)).status).toBe(404);
    expect((await northwind("POST", `/admin/v1/returns/${rma.id}/receive`)).status).toBe(409); // not approved yet
    expect((await northwind("POST", `/admin/v1/returns/${rma.id}/approve`)).body).toMatchObject({ status: "approved" });
    const received = await northwind("POST", `/admin/v1/returns/${rma.id}/receive`);
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    expect(received.body).toMatchObject({ status: "refunded", refund: rma.refund, refundId: expect.any(String) });
    // Receiving again (a double click, a retry) refunds and restocks nothing more.
    expect((await northwind("POST", `/admin/v1/returns/${rma.id}/receive`)).body).toMatchObject({ status: "refunded" });

    expect((await stockOf(platform, item.sku)).onHand).toBe(before.onHand - 2);
    const refunds = await countIn(
      platform,
      "payments",
      "SELECT COUNT(*) AS n FROM ledger WHERE payment_id = ? AND kind = 'refund' AND status = 'refunded'",
      order.id,
    );
    expect(refunds).toBe(1);
    const refunded = await countIn(
      platform,
      "payments",
      "SELECT COALESCE(SUM(amount), 0) AS n FROM ledger WHERE payment_id = ? AND kind = 'refund'",
      order.id,
    );
    expect(refunded).toBe(rma.refund.amount);
    expect((await waitFor(read, (o) => o.status === "refunded")).status).toBe("refunded");

    // The listing's stock snapshot follows the Inventory object (committed at checkout, restocked on return).
    const live = (await stockOf(platform, item.sku)).available;
    const product = await waitFor(
      async () => (await call(platform.url, "GET", `/v1/products/${item.slug}`)).body as { variants: { sku: string; available: number }[] },
      (p) => p.variants.find((v) => v.sku === item.sku)?.available === live,
    );
    expect(product.variants.find((v) => v.sku === item.sku)?.available).toBe(live);

    // Exactly one email of each kind, whatever the redeliveries (each event was sent three times).
    const mail = await waitFor(
      () => outboxOf(platform, order.id),
      (items) => items.length >= 4,
    );
    await new Promise((r) => setTimeout(r, 1500)); // time for any straggling duplicate to (wrongly) land
    const templates = (await outboxOf(platform, order.id)).map((m) => m.template).sort();
    expect(templates).toEqual(["delivered", "receipt", "refund", "shipped"]);
    expect(mail.every((m) => m.to === email)).toBe(true);
    expect(await countIn(platform, "fulfillment", "SELECT COUNT(*) AS n FROM shipments WHERE order_id = ?", order.id)).toBe(1);
    expect(await countIn(platform, "fulfillment", "SELECT COUNT(*) AS n FROM invoices WHERE order_id = ?", order.id)).toBe(1);
    expect(await countIn(platform, "orders", "SELECT COUNT(*) AS n FROM order_transitions WHERE order_id = ?", order.id)).toBe(8);
  });

  it("two merchants: a shipment and an invoice each, invoice numbers per merchant without gaps, invoices for the buyer only", async () => {
    const [a, b] = await twoMerchantSkus(platform);
    const one = await buy([
      { sku: a.sku, quantity: 1 },
      { sku: b.sku, quantity: 1 },
    ]);
    const two = await buy([{ sku: a.sku, quantity: 1 }]);
    await waitFor(one.read, (o) => o.shipments.length === 2);
    await waitFor(two.read, (o) => o.shipments.length === 1);
    const numbers = async (orderId: string) => {
      const db = await platform.miniflare.getD1Database("DB", "fulfillment");
      return (
        await db
          .prepare("SELECT merchant_id, number FROM invoices WHERE order_id = ? ORDER BY merchant_id")
          .bind(orderId)
          .all<{ merchant_id: string; number: number }>()
      ).results;
    };
    const [first, second] = [await numbers(one.order.id), await numbers(two.order.id)];
    expect(first.map((r) => r.merchant_id)).toEqual(["mer_northwind", "mer_trailhead"]);
    expect(second[0]?.number).toBe((first[0]?.number ?? 0) + 1);
    const all = await countIn(platform, "fulfillment", "SELECT COUNT(*) AS n FROM invoices WHERE merchant_id = 'mer_northwind'");
    expect(await countIn(platform, "fulfillment", "SELECT MAX(number) AS n FROM invoices WHERE merchant_id = 'mer_northwind'")).toBe(all);

    const invoice = (orderId: string, query: string, headers: Record<string, string>) =>
      fetch(new URL(`/v1/orders/${orderId}/invoice${query}`, platform.url), { headers });
    expect((await invoice(one.order.id, "", one.headers)).status).toBe(400); // two parts: name one
    const doc = await invoice(one.order.id, "?part=mer_trailhead", one.headers);
    expect(doc.status).toBe(200);
    expect(doc.headers.get("content-type")).toContain("text/html");
    expect(doc.headers.get("cache-control")).toContain("no-store");
    const html = await doc.text();
    expect(html).toContain(`INV-trailhead-${String(first[1]?.number).padStart(6, "0")}`);
    expect(html).toContain(one.order.id);
    expect((await invoice(one.order.id, "?part=mer_trailhead", {})).status).toBe(404);
    expect((await invoice(one.order.id, "?part=mer_trailhead", two.headers)).status).toBe(404);
    // Stored in R2 once issued.
    const bucket = await platform.miniflare.getR2Bucket("DOCUMENTS", "fulfillment");
    expect(await bucket.head(`invoices/${one.order.id}/mer_trailhead.html`)).not.toBeNull();
  });

  it("a forged, unsigned or stale carrier webhook is refused (401) and changes nothing", async () => {
    const item = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_pageturner'");
    const { order, read } = await buy([{ sku: item.sku, quantity: 1 }]);
    await waitFor(read, (o) => o.shipments.length === 1);
    const pageturner = admin(await tokenOf(platform, owner("pageturner")));
    const tracking = `PT${Date.now()}`;
    const shipment = await pageturner("POST", `/admin/v1/orders/${order.id}/shipments`, { carrier: "DHL", trackingNumber: tracking });
    expect(shipment.status).toBe(201);
    await waitFor(read, (o) => o.status === "shipped");
    const statusNow = () =>
      countIn(platform, "fulfillment", "SELECT COUNT(*) AS n FROM shipments WHERE id = ? AND status = 'shipped'", shipment.body.id);
    const event = { id: `evt-${crypto.randomUUID()}`, carrier: "DHL", trackingNumber: tracking, status: "delivered" };
    const raw = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);
    for (const signature of [
      undefined,
      carrierSignature(raw, "not-the-secret"),
      carrierSignature(raw, CARRIER_SECRET, now - 301),
      `t=${now},v1=${"0".repeat(64)}`,
      "garbage",
    ]) {
      const refused = await carrierPost(platform, event, signature);
      expect(refused.status, String(signature)).toBe(401);
      expect(refused.type).toContain("application/problem+json");
    }
    // Signed over other bytes: the body was changed in transit.
    const tampered = await fetch(new URL("/v1/webhooks/carrier", platform.url), {
      method: "POST",
      headers: { "content-type": "application/json", "x-carrier-signature": carrierSignature(raw) },
      body: JSON.stringify({ ...event, trackingNumber: "SOMEONE-ELSE" }),
    });
    expect(tampered.status).toBe(401);
    expect(await statusNow()).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect((await read()).status).toBe("shipped");
    expect(await countIn(platform, "fulfillment", "SELECT COUNT(*) AS n FROM carrier_events WHERE id = ?", event.id)).toBe(0);
    // The same event, properly signed, is believed.
    expect((await carrierPost(platform, event, carrierSignature(raw))).body).toMatchObject({ applied: true });
  });

  it("the carrier webhook finds a shipment by carrier and tracking number together, and never another merchant's", async () => {
    const [a, b] = await twoMerchantSkus(platform);
    const [mine, theirs] = [await buy([{ sku: a.sku, quantity: 1 }]), await buy([{ sku: b.sku, quantity: 1 }])];
    await waitFor(mine.read, (o) => o.shipments.length === 1);
    await waitFor(theirs.read, (o) => o.shipments.length === 1);
    const northwind = admin(await tokenOf(platform, owner("northwind")));
    const trailhead = admin(await tokenOf(platform, owner("trailhead")));
    const tracking = `1Z${Date.now()}`;
    const shipped = await northwind("POST", `/admin/v1/orders/${mine.order.id}/shipments`, { carrier: "UPS", trackingNumber: tracking });
    expect(shipped.status).toBe(201);

    // A parcel is one shipment: another merchant cannot register northwind's UPS parcel as its own (in any case).
    const copied = await trailhead("POST", `/admin/v1/orders/${theirs.order.id}/shipments`, {
      carrier: "ups",
      trackingNumber: tracking.toLowerCase(),
    });
    expect(copied.status, JSON.stringify(copied.body)).toBe(409);
    expect(copied.type).toContain("application/problem+json");
    expect(
      await countIn(
        platform,
        "fulfillment",
        "SELECT COUNT(*) AS n FROM shipments WHERE order_id = ? AND status = 'pending'",
        theirs.order.id,
      ),
    ).toBe(1);
    // The same number with another carrier is another parcel.
    const own = await trailhead("POST", `/admin/v1/orders/${theirs.order.id}/shipments`, { carrier: "DHL", trackingNumber: tracking });
    expect(own.status, JSON.stringify(own.body)).toBe(201);

    const status = (id: unknown) =>
      countIn(platform, "fulfillment", "SELECT COUNT(*) AS n FROM shipments WHERE id = ? AND status = 'delivered'", id);
    const deliver = async (event: Record<string, string>) => {
      const body = { id: `evt-${crypto.randomUUID()}`, status: "delivered", ...event };
      return carrierPost(platform, body, carrierSignature(JSON.stringify(body)));
    };
    // Signed, with the right number but a carrier that has no such parcel: nothing moves.
    expect((await deliver({ carrier: "FedEx", trackingNumber: tracking })).body).toMatchObject({ applied: false, shipmentId: null });
    // Without a carrier the number alone names no parcel: 400, and nothing moves.
    const bare = await deliver({ trackingNumber: tracking });
    expect(bare.status).toBe(400);
    expect(String(bare.body.detail)).toContain("carrier");
    expect([await status(shipped.body.id), await status(own.body.id)]).toEqual([0, 0]);

    // Each carrier's event moves its own parcel's shipment, and only that one.
    const ups = await deliver({ carrier: "ups", trackingNumber: tracking });
    expect(ups.body).toMatchObject({ applied: true, shipmentId: shipped.body.id });
    expect([await status(shipped.body.id), await status(own.body.id)]).toEqual([1, 0]);
    const dhl = await deliver({ carrier: "DHL", trackingNumber: tracking });
    expect(dhl.body).toMatchObject({ applied: true, shipmentId: own.body.id });
    expect(await status(own.body.id)).toBe(1);
  });

  it("a poison message: dead-lettered with its error after the retries, listed for the platform admin, replayed once the cause is fixed", async () => {
    const email = `poison-${crypto.randomUUID().slice(0, 8)}@example.com`;
    expect((await call(platform.url, "PUT", "/dev/mail-faults", { body: { to: email, reason: "mailbox full" } })).status).toBe(200);
    const item = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_trailhead'");
    const { order, read } = await buy([{ sku: item.sku, quantity: 1 }], email);
    // Fulfilment is unaffected (its own queue): the shipment exists; only the receipt cannot be sent.
    await waitFor(read, (o) => o.shipments.length === 1);

    const adminToken = await tokenOf(platform, PLATFORM_ADMIN);
    const ops = admin(adminToken);
    const letters = await waitFor(
      async () => (await ops("GET", `/admin/v1/dead-letters?eventId=${encodeURIComponent(`${order.id}:paid`)}`)).body.items as Json[],
      (items) => items.some((l) => l.consumer === "notifications"),
      30_000,
    );
    const letter = letters.find((l) => l.consumer === "notifications") as {
      id: string;
      queue: string;
      error: string;
      attempts: number;
      eventType: string;
    };
    expect(letter).toMatchObject({ queue: "notification-events", eventType: "order.paid", attempts: 3 });
    expect(letter.error).toContain("mailbox full");
    expect(await outboxOf(platform, order.id)).toEqual([]);
    // Merchants do not see the platform's dead letters.
    expect((await admin(await tokenOf(platform, owner("trailhead")))("GET", "/admin/v1/dead-letters")).status).toBe(403);

    expect((await call(platform.url, "DELETE", "/dev/mail-faults", { body: { to: email } })).status).toBe(204);
    const replayed = await ops("POST", `/admin/v1/dead-letters/${letter.id}/replay`);
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(202);
    expect(replayed.body).toMatchObject({ id: letter.id, replays: 1, replayedAt: expect.any(String) });
    const mail = await waitFor(
      () => outboxOf(platform, order.id),
      (items) => items.length >= 1,
    );
    expect(mail.map((m) => m.template)).toEqual(["receipt"]);
    // Replaying again sends nothing more: the event is processed now.
    expect((await ops("POST", `/admin/v1/dead-letters/${letter.id}/replay`)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await outboxOf(platform, order.id)).map((m) => m.template)).toEqual(["receipt"]);
    expect((await ops("POST", "/admin/v1/dead-letters/dl_nope/replay")).status).toBe(404);
  });

  it("events whose send failed after the order was saved still go out (the cron sends the outbox)", async () => {
    const item = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_northwind'");
    const { order, read } = await buy([{ sku: item.sku, quantity: 1 }], "fault+publish-fails@example.com");
    expect(order.status).toBe("paid");
    // The order is saved and paid; its events wait in the outbox.
    expect(
      await countIn(platform, "orders", "SELECT COUNT(*) AS n FROM outbox WHERE substr(id, 1, ?) = ?", order.id.length, order.id),
    ).toBeGreaterThan(0);
    const worker = await platform.miniflare.getWorker("orders");
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    expect(
      await countIn(platform, "orders", "SELECT COUNT(*) AS n FROM outbox WHERE substr(id, 1, ?) = ?", order.id.length, order.id),
    ).toBe(0);
    expect((await waitFor(read, (o) => o.status === "fulfilling")).status).toBe("fulfilling");
    const mail = await waitFor(
      () => outboxOf(platform, order.id),
      (items) => items.length >= 1,
    );
    expect(mail.map((m) => m.template)).toEqual(["receipt"]);
  });

  it("every Worker answers /health with its dependencies' state", async () => {
    const shop = await call(platform.url, "GET", "/health");
    expect(shop.status, JSON.stringify(shop.body)).toBe(200);
    expect(Object.keys(shop.body.checks as Json).sort()).toEqual([
      "catalog",
      "fulfillment",
      "identity",
      "insights",
      "notifications",
      "orders",
      "payments",
    ]);
    const ops = await call(platform.adminUrl, "GET", "/health");
    expect(ops.body).toMatchObject({ service: "admin", status: "ok", checks: { d1: { ok: true } } });
    for (const name of ["catalog", "identity", "orders", "payments", "fulfillment", "notifications", "insights", "durable-objects"]) {
      const worker = await platform.miniflare.getWorker(name);
      const res = await worker.fetch("http://internal/health");
      const body = (await res.json()) as { service: string; status: string; checks: Record<string, { ok: boolean }> };
      expect(res.status, `${name}: ${JSON.stringify(body)}`).toBe(200);
      expect(body.service).toBe(name);
    }
    const orders = (await (await (await platform.miniflare.getWorker("orders")).fetch("http://internal/health")).json()) as {
      checks: { outbox: { pending: number } };
    };
    expect(orders.checks.outbox.pending).toEqual(expect.any(Number));
  });
});
