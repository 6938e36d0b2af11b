import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOrderShards } from "../../scripts/order-shards.ts";
import { CARRIER_SECRET, carrierPost, carrierSignature, countIn, owner, tokenOf, waitFor } from "./after-sale-client.ts";
import { pickSku } from "./cart-client.ts";
import { CARDS, type Json, shopper } from "./checkout-client.ts";
import { api, call, type Reply } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";
import { type Finding, scanState } from "./storage-scan.ts";

// GDPR erasure across the platform: a buyer with delivered orders from two merchants, a return, a review,
// receipts and invoices asks to be forgotten; afterwards their email, name and address are in no D1 database,
// no R2 object and no Durable Object, found by scanning everything the platform persisted (not a list of
// known columns), while the orders keep their amounts and the invoices their numbers and amounts.
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 200, vars: { fulfillment: { CARRIER_WEBHOOK_SECRET: CARRIER_SECRET } } });
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

const tag = crypto.randomUUID().slice(0, 8);
const person = {
  first: `Ottoline${tag}`,
  last: `Vexworth${tag}`,
  email: `ottoline.${tag}@example.com`,
  line1: `${tag} Quillfeather Row`,
  line2: `Flat Q${tag}`,
  city: `Brackenmoor${tag}`,
  postalCode: `PC ${tag}`,
};
const needles = Object.values(person);
const fullName = `${person.first} ${person.last}`;
const shippingAddress = {
  name: fullName,
  line1: person.line1,
  line2: person.line2,
  city: person.city,
  postalCode: person.postalCode,
  country: "GB",
};

type Order = { id: string; status: string; shipments: { id: string; merchantId: string; status: string }[] };

const scan = (): Finding[] => scanState(state.dir, needles);
const fulfillmentDb = () => platform.miniflare.getD1Database("DB", "fulfillment");
const documents = () => platform.miniflare.getR2Bucket("DOCUMENTS", "fulfillment");

async function accountingOf(orderIds: string[]) {
  const marks = orderIds.map(() => "?").join(", ");
  // Orders are on several shards: each read gathers every shard's rows, in one order that is the same each time.
  const read = async (sql: string, ...keys: string[]) => {
    const rows = await readOrderShards<Record<string, unknown>>(platform.miniflare, sql, ...orderIds);
    const key = (row: Record<string, unknown>) => JSON.stringify(keys.map((k) => row[k]));
    return rows.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  };
  const orders = {
    results: await read(`SELECT id, status, currency, subtotal, shipping, tax, total FROM orders WHERE id IN (${marks})`, "id"),
  };
  const parts = { results: await read(`SELECT * FROM order_parts WHERE order_id IN (${marks})`, "order_id", "merchant_id") };
  const lines = { results: await read(`SELECT * FROM order_lines WHERE order_id IN (${marks})`, "order_id", "line_no") };
  const invoices = await (await fulfillmentDb())
    .prepare(`SELECT * FROM invoices WHERE order_id IN (${marks}) ORDER BY order_id, merchant_id`)
    .bind(...orderIds)
    .all<{ order_id: string; merchant_id: string; number: number; total: number; currency: string; document_key: string }>();
  return { orders: orders.results, parts: parts.results, lines: lines.results, invoices: invoices.results };
}

const invoiceNumber = (merchantId: string, n: number) => `INV-${merchantId.replace(/^mer_/, "")}-${String(n).padStart(6, "0")}`;
const money = (amount: number, currency: string) => new Intl.NumberFormat("en-US", { style: "currency", currency }).format(amount / 100);

describe("erasure", () => {
  let token = "";
  let userId = "";
  let orderIds: string[] = [];
  let reviewed = "";
  let before: Awaited<ReturnType<typeof accountingOf>>;
  let ratingBefore: unknown;

  it("a buyer who asks to be forgotten is found nowhere afterwards; orders and invoices keep their money", async () => {
    const registered = await api(platform).register(person.email, "correct horse battery", fullName, "198.51.100.40");
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    token = String(registered.body.accessToken);
    userId = String((registered.body.user as { id: string }).id);
    // A mistyped password, then a sign-in: the sign-in throttle keeps an object per account (with an alarm).
    expect((await api(platform).login(person.email, "not the password", "198.51.100.40")).status).toBe(401);
    expect((await api(platform).login(person.email, "correct horse battery", "198.51.100.40")).status).toBe(200);
    const buyer = shopper(platform, "198.51.100.41", token);
    const mine = (method: string, path: string, body?: unknown) =>
      call(platform.url, method, path, { token, ip: "198.51.100.41", ...(body === undefined ? {} : { body }) });

    const northwindSku = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_northwind'");
    const trailheadSku = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_trailhead'");
    const buy = async (lines: { sku: string; quantity: number }[]) => {
      const cart = await buyer.cart(lines);
      const body: Json = {
        cartId: cart.id,
        email: person.email,
        shippingAddress,
        payment: { method: "card", card: { number: CARDS.success, expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" } },
      };
      const placed = await buyer.checkout(cart, `erasure-${crypto.randomUUID()}`, body);
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      return (placed.body.order as Order).id;
    };
    // Two merchants in one order (two parts, two invoices), and a second order to return something from.
    const both = await buy([
      { sku: northwindSku.sku, quantity: 1 },
      { sku: trailheadSku.sku, quantity: 1 },
    ]);
    const single = await buy([{ sku: northwindSku.sku, quantity: 2 }]);
    orderIds = [both, single].sort();
    const read = (id: string) => async () => (await mine("GET", `/v1/orders/${id}`)).body as unknown as Order;

    const staff = {
      mer_northwind: await tokenOf(platform, owner("northwind")),
      mer_trailhead: await tokenOf(platform, owner("trailhead")),
    };
    const merchant = (merchantId: string, method: string, path: string, body?: unknown): Promise<Reply> =>
      call(platform.adminUrl, method, path, {
        token: staff[merchantId as keyof typeof staff],
        ...(body === undefined ? {} : { body }),
      });

    // Ship every part; the carrier delivers one, the merchants mark the others delivered.
    let viaCarrier = true;
    for (const id of orderIds) {
      const paid = await waitFor(read(id), (o) => o.shipments?.length === (id === both ? 2 : 1));
      for (const shipment of paid.shipments) {
        const trackingNumber = `TRK${tag}${shipment.id.slice(-6)}`.replace(/[^A-Za-z0-9-]/g, "").toUpperCase();
        const shipped = await merchant(shipment.merchantId, "POST", `/admin/v1/orders/${id}/shipments`, { carrier: "UPS", trackingNumber });
        expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);
        if (viaCarrier) {
          const delivered = { id: `evt-${crypto.randomUUID()}`, trackingNumber, carrier: "UPS", status: "delivered" };
          expect((await carrierPost(platform, delivered, carrierSignature(JSON.stringify(delivered)))).status).toBe(200);
          viaCarrier = false;
        } else {
          expect((await merchant(shipment.merchantId, "POST", `/admin/v1/shipments/${shipment.id}/delivered`)).status).toBe(200);
        }
      }
      expect((await waitFor(read(id), (o) => o.status === "delivered")).status).toBe("delivered");
    }

    // A review (shown as "Ottoline… V."), and a return with its refund.
    reviewed = northwindSku.slug;
    const review = await mine("POST", `/v1/products/${reviewed}/reviews`, { rating: 5, title: "Lovely", body: "Exactly as described." });
    expect(review.status, JSON.stringify(review.body)).toBe(201);
    expect(review.body.author).toBe(`${person.first} V.`);
    ratingBefore = (await call(platform.url, "GET", `/v1/products/${reviewed}/reviews`)).body.rating;
    const asked = await mine("POST", `/v1/orders/${single}/returns`, {
      lines: [{ sku: northwindSku.sku, quantity: 1 }],
      reason: "Too many",
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const rma = (asked.body.return as { id: string }).id;
    expect((await merchant("mer_northwind", "POST", `/admin/v1/returns/${rma}/approve`)).status).toBe(200);
    expect((await merchant("mer_northwind", "POST", `/admin/v1/returns/${rma}/receive`)).body).toMatchObject({ status: "refunded" });
    expect((await waitFor(read(single), (o) => o.status === "refunded")).status).toBe("refunded");

    // Receipts, shipping and refund emails; invoices in R2; the sales aggregates.
    const outbox = () => call(platform.url, "GET", `/dev/outbox?to=${encodeURIComponent(person.email)}`);
    const mails = await waitFor(outbox, (r) => (r.body.items as unknown[]).length >= 9);
    expect((mails.body.items as { template: string }[]).map((m) => m.template).sort()).toEqual(
      ["delivered", "delivered", "delivered", "receipt", "receipt", "refund", "shipped", "shipped", "shipped"].sort(),
    );
    before = await accountingOf(orderIds);
    expect(before.invoices).toHaveLength(3);
    for (const invoice of before.invoices) {
      const stored = await waitFor(
        async () => (await documents()).head(invoice.document_key),
        (head) => head !== null,
      );
      expect(stored, invoice.document_key).not.toBeNull();
    }
    const paidEvents = orderIds.map((id) => `${id}:paid`);
    await waitFor(
      () => countIn(platform, "insights", "SELECT COUNT(*) AS n FROM processed_events WHERE event_id IN (?, ?)", ...paidEvents),
      (n) => n === 2,
    );

    // The scan sees the person wherever they are: every needle somewhere, and in each kind of storage.
    const found = scan();
    expect(new Set(found.map((f) => f.needle))).toEqual(new Set(needles.map((n) => n.toLowerCase())));
    const places = new Set(found.map((f) => f.table ?? f.file.split("/").slice(0, 3).join("/")));
    for (const place of ["users", "orders", "checkout", "paid_orders", "emails", "reviews", "v3/r2/documents"]) {
      expect(places, `the person is not in ${place} before the erasure: the scan would not see them there`).toContain(place);
    }

    expect((await mine("DELETE", "/v1/me")).status).toBe(204);

    // Every service hears of it and forgets the person (through its own queue and consumer).
    let left = scan();
    for (const deadline = Date.now() + 30_000; left.length > 0 && Date.now() < deadline; left = scan()) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(left).toEqual([]);
    for (const service of ["orders", "fulfillment", "notifications", "catalog"]) {
      const n = await countIn(platform, service, "SELECT COUNT(*) AS n FROM processed_events WHERE type = 'identity.user_erased'");
      expect(n, service).toBe(1);
    }

    // The money stays: every amount of the orders, their parts and lines; every invoice's number and amount.
    const after = await accountingOf(orderIds);
    expect(after).toEqual(before);
    for (const invoice of after.invoices) {
      const document = await (await documents()).get(invoice.document_key);
      const html = (await document?.text()) ?? "";
      expect(html).toContain(invoiceNumber(invoice.merchant_id, invoice.number));
      expect(html).toContain(money(invoice.total, invoice.currency));
    }
    // The merchant still fulfils and accounts for the order: amounts and country, no person.
    const seen = await merchant("mer_trailhead", "GET", `/admin/v1/orders/${both}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ shippingAddress: { country: "GB" } });
    expect(seen.body.email).not.toContain(tag);
    // The review stays, anonymous, and the rating is what it was.
    const reviews = await call(platform.url, "GET", `/v1/products/${reviewed}/reviews`);
    expect(reviews.body.rating).toEqual(ratingBefore);
    expect(reviews.body.items).toEqual([expect.objectContaining({ rating: 5, title: "Lovely", author: "A former customer" })]);
    // The erased account's token (valid at the edge for a few minutes more) no longer finds any order.
    expect((await mine("GET", "/v1/orders")).body.items).toEqual([]);
  });

  it("events that were on their way when the buyer was erased do not bring the person back", async () => {
    const [orderId] = orderIds;

    // A payment of another order of theirs, delayed (sent before the erasure, delivered after), and a delivery
    // of the order above: fulfilment keeps the order and issues its invoice, notifications write no email.
    const late = `ord_late${tag}`;
    const paid = {
      id: `${late}:paid`,
      type: "order.paid",
      version: 1,
      occurredAt: new Date().toISOString(),
      data: {
        orderId: late,
        userId,
        email: person.email,
        currency: "USD",
        subtotal: 1000,
        shipping: 0,
        tax: 0,
        total: 1000,
        parts: [
          {
            merchantId: "mer_northwind",
            subtotal: 1000,
            shipping: 0,
            tax: 0,
            total: 1000,
            lines: [{ kind: "product", sku: "LATE-1", productSlug: "late", quantity: 1, unitPrice: 1000, lineTotal: 1000, tax: 0 }],
          },
        ],
        paymentId: late,
        card: { brand: "visa", last4: "4242" },
      },
    };
    const delivered = {
      id: `late-delivery-${tag}`,
      type: "shipment.delivered",
      version: 1,
      occurredAt: new Date().toISOString(),
      data: {
        shipmentId: `shp_late${tag}`,
        orderId,
        merchantId: "mer_northwind",
        email: person.email,
        status: "delivered",
        carrier: "UPS",
        trackingNumber: "LATE",
        items: [{ sku: "LATE-1", quantity: 1 }],
      },
    };
    await (await platform.miniflare.getQueueProducer("ORDER_EVENTS", "orders")).send(paid, { contentType: "json" });
    await (await platform.miniflare.getQueueProducer("NOTIFICATION_EVENTS", "orders")).send(paid, { contentType: "json" });
    await (await platform.miniflare.getQueueProducer("NOTIFICATION_EVENTS", "fulfillment")).send(delivered, { contentType: "json" });
    for (const [service, id] of [
      ["fulfillment", paid.id],
      ["notifications", paid.id],
      ["notifications", delivered.id],
    ] as const) {
      const n = await waitFor(
        () => countIn(platform, service, "SELECT COUNT(*) AS n FROM processed_events WHERE event_id = ?", id),
        (count) => count === 1,
      );
      expect(n, `${service} handled ${id}`).toBe(1);
    }
    // The late order's invoice is issued (its number is the merchant's next), to nobody in particular.
    const invoice = await waitFor(
      async () => (await documents()).get(`invoices/${late}/mer_northwind.html`),
      (doc) => doc !== null,
    );
    const html = (await invoice?.text()) ?? "";
    expect(html).toContain("INV-northwind-");
    expect(html).toContain(money(1000, "USD"));
    expect(scan()).toEqual([]);
  });
});
