import type { Platform } from "../../scripts/platform.ts";
import { encodePng } from "../../workers/catalog/seed/png.ts";
import { owner, tokenOf, waitFor } from "./after-sale-client.ts";
import { checkoutBody, shopper } from "./checkout-client.ts";
import { call, type Reply, uniqueEmail } from "./identity-client.ts";

// Traffic across every service, for tests that must see the platform busy (the restore drill): guest checkouts
// over two merchants (orders, payments, then fulfilment, invoices, emails and insights through the queues),
// sign-ups, reviews and returns by buyers whose orders were delivered, image uploads and API keys by a merchant.
// Each write the platform acknowledged is recorded with the time its answer arrived.

export type Written = { kind: "order" | "user" | "review" | "return" | "image" | "api-key"; id: string; at: number };

type Sku = { sku: string; slug: string; productId: string };
export type Buyer = { token: string; orderId: string; items: Sku[] };

let n = 0;
const ip = () => `203.0.${113 + (Math.floor(++n / 250) % 4)}.${n % 250}`;

const expectStatus = (reply: Reply, status: number, what: string): Reply => {
  if (reply.status !== status) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply;
};

/** Plentiful SKUs of one merchant, one per product, not on flash sale. */
export async function plentiful(platform: Platform, merchant: string, count: number): Promise<Sku[]> {
  const db = await platform.miniflare.getD1Database("DB", "catalog");
  const { results } = await db
    .prepare(
      `SELECT MIN(v.sku) AS sku, p.slug, p.id AS productId FROM variants v JOIN products p ON p.id = v.product_id
       WHERE p.merchant_id = ? AND p.flash_sale = 0 AND v.available >= 100 GROUP BY p.id ORDER BY p.id LIMIT ?`,
    )
    .bind(merchant, count)
    .all<Sku>();
  if (results.length < count) throw new Error(`only ${results.length} plentiful SKUs of ${merchant}`);
  return results;
}

/** Ships and delivers an order's shipments as its merchant, then waits until the order says delivered. */
async function deliver(platform: Platform, merchantToken: string, orderId: string, orderToken: string): Promise<void> {
  const admin = (method: string, path: string, body?: unknown) =>
    call(platform.adminUrl, method, path, { token: merchantToken, ...(body === undefined ? {} : { body }) });
  const order = await waitFor(
    () => admin("GET", `/admin/v1/orders/${orderId}`),
    (r) => ((r.body.shipments as unknown[] | undefined)?.length ?? 0) > 0,
  );
  for (const shipment of order.body.shipments as { id: string }[]) {
    expectStatus(
      await admin("POST", `/admin/v1/orders/${orderId}/shipments`, {
        carrier: "UPS",
        trackingNumber: `DRILL-${shipment.id.slice(-8).replace(/[^A-Za-z0-9]/g, "")}`,
      }),
      201,
      "ship",
    );
    expectStatus(await admin("POST", `/admin/v1/shipments/${shipment.id}/delivered`), 200, "deliver");
  }
  const read = () => call(platform.url, "GET", `/v1/orders/${orderId}`, { token: orderToken });
  expectStatus(await waitFor(read, (r) => r.body.status === "delivered"), 200, "delivered order");
}

/** Registered buyers, each with a delivered order of `items` (so each may review them and return them). */
export async function deliveredBuyers(platform: Platform, count: number, items: Sku[]): Promise<Buyer[]> {
  const merchant = await tokenOf(platform, owner("northwind"));
  return Promise.all(
    Array.from({ length: count }, async () => {
      const registered = expectStatus(
        await call(platform.url, "POST", "/v1/auth/register", {
          ip: ip(),
          body: { email: uniqueEmail("drill"), password: "a drill password", name: "Drill Buyer" },
        }),
        201,
        "register",
      );
      const token = String(registered.body.accessToken);
      const buyer = shopper(platform, ip(), token);
      const cart = await buyer.cart(items.map((i) => ({ sku: i.sku, quantity: 2 })));
      const placed = expectStatus(await buyer.checkout(cart, crypto.randomUUID()), 201, "checkout");
      const orderId = String((placed.body.order as { id: string }).id);
      await deliver(platform, merchant, orderId, token);
      return { token, orderId, items };
    }),
  );
}

/** Runs until `stop()`; returns every acknowledged write. A failed call fails the load (and the test). */
export function startLoad(platform: Platform, options: { buyers: Buyer[]; northwind: Sku[]; trailhead: Sku[]; merchantToken: string }) {
  const written: Written[] = [];
  let stopping = false;
  const note = (kind: Written["kind"], id: string) => written.push({ kind, id, at: Date.now() });
  const loop = async (step: (i: number) => Promise<boolean | undefined>) => {
    for (let i = 0; !stopping; i++) if ((await step(i)) === false) return;
  };
  const pick = <T>(list: T[], i: number): T => list[i % list.length] as T;

  const checkouts = (lane: number) =>
    loop(async (i) => {
      const guest = shopper(platform, ip());
      const cart = await guest.cart([
        { sku: pick(options.northwind, i + lane).sku, quantity: 1 },
        { sku: pick(options.trailhead, i + lane).sku, quantity: 1 },
      ]);
      const placed = expectStatus(await guest.checkout(cart, crypto.randomUUID(), checkoutBody(cart.id)), 201, "checkout");
      note("order", String((placed.body.order as { id: string }).id));
      return undefined;
    });
  const signUps = loop(async () => {
    const body = { email: uniqueEmail("load"), password: "a load password", name: "Load Shopper" };
    const made = expectStatus(await call(platform.url, "POST", "/v1/auth/register", { ip: ip(), body }), 201, "register");
    note("user", String((made.body.user as { id: string }).id));
    return undefined;
  });
  const reviewsAndReturns = loop(async (i) => {
    const buyer = options.buyers[Math.floor(i / 2) % options.buyers.length] as Buyer;
    const round = Math.floor(i / 2 / options.buyers.length);
    if (round >= buyer.items.length) return false;
    const item = buyer.items[round] as Sku;
    if (i % 2 === 0) {
      const review = { rating: 1 + (i % 5), title: `Drill ${i}`, body: "Written while a backup ran." };
      const posted = expectStatus(
        await call(platform.url, "POST", `/v1/products/${item.slug}/reviews`, { ip: ip(), token: buyer.token, body: review }),
        201,
        "review",
      );
      note("review", String(posted.body.id));
    } else {
      const body = { lines: [{ sku: item.sku, quantity: 1 }], reason: "Drill return" };
      const asked = expectStatus(
        await call(platform.url, "POST", `/v1/orders/${buyer.orderId}/returns`, { ip: ip(), token: buyer.token, body }),
        201,
        "return",
      );
      note("return", String((asked.body.return as { id: string }).id));
    }
    return undefined;
  });
  const merchantWork = loop(async (i) => {
    if (i % 4 === 3 && i < 16) {
      const made = expectStatus(
        await call(platform.adminUrl, "POST", "/admin/v1/api-keys", {
          token: options.merchantToken,
          body: { name: `drill ${i}`, scope: "read" },
        }),
        201,
        "api key",
      );
      note("api-key", String(made.body.id));
      return undefined;
    }
    const png = await encodePng(24, 24, (x, y) => [(i * 37) % 256, (x * 9) % 256, (y * 11 + i) % 256]);
    const product = pick(options.northwind, i).productId;
    const res = await fetch(new URL(`/admin/v1/products/${product}/images?alt=${encodeURIComponent(`drill ${i}`)}`, platform.adminUrl), {
      method: "POST",
      headers: { authorization: `Bearer ${options.merchantToken}`, "content-type": "image/png", "cf-connecting-ip": ip() },
      body: new Blob([png as Uint8Array<ArrayBuffer>]),
    });
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
    const images = ((await res.json()) as { images: { key: string }[] }).images;
    note("image", images.at(-1)?.key ?? "");
    return undefined;
  });
  const running = Promise.all([checkouts(0), checkouts(1), signUps, reviewsAndReturns, merchantWork]);
  return {
    written,
    stop: async (): Promise<Written[]> => {
      stopping = true;
      await running;
      return written;
    },
  };
}
