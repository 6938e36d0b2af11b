import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countIn, owner, PLATFORM_ADMIN, tokenOf, waitFor } from "./after-sale-client.ts";
import { pickSku } from "./cart-client.ts";
import { checkoutBody, type Json, shopper } from "./checkout-client.ts";
import { call, type Reply } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

// Reviews, recommendations and reports through the real runtime: orders → `insights-events` → the insights
// Worker's aggregates, read back by the storefront and the admin. Every order event is sent three times
// (EVENT_COPIES), so every aggregate below holds only if replays change nothing.
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let northwind: string;
let ip = 0;
const nextIp = () => `203.0.113.${(++ip % 250) + 1}`;
const today = () => new Date().toISOString().slice(0, 10);
const shop = (method: string, path: string, options: Parameters<typeof call>[3] = {}) => call(platform.url, method, path, options);
const admin = (method: string, path: string, token: string, body?: unknown): Promise<Reply> =>
  call(platform.adminUrl, method, path, { token, ...(body === undefined ? {} : { body }) });

async function registered(name: string): Promise<string> {
  const reply = await shop("POST", "/v1/auth/register", {
    body: {
      email: `${name.toLowerCase().replaceAll(" ", ".")}-${crypto.randomUUID().slice(0, 6)}@example.com`,
      password: "a long password here",
      name,
    },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return String(reply.body.accessToken);
}

/** A signed-in buyer's order of these lines, paid with the test card. */
async function order(token: string, lines: { sku: string; quantity: number }[]): Promise<string> {
  const buyer = shopper(platform, nextIp(), token);
  const cart = await buyer.cart(lines);
  const placed = await buyer.checkout(cart, `insights-${crypto.randomUUID()}`, checkoutBody(cart.id));
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return String((placed.body.order as Json).id);
}

let x: Awaited<ReturnType<typeof pickSku>>;
let y: Awaited<ReturnType<typeof pickSku>>;
let buyerA: string;
const ordersOfA: string[] = [];

beforeAll(async () => {
  platform = await boot(state.dir, {
    demoSize: 150,
    vars: { orders: { EVENT_COPIES: "3" }, fulfillment: { EVENT_COPIES: "3" } },
  });
  northwind = await tokenOf(platform, owner("northwind"));
  x = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_northwind'");
  y = await pickSku(platform, `v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_northwind' AND p.slug <> '${x.slug}'`);
  buyerA = await registered("Ada Lovelace");
  for (let i = 0; i < 3; i++)
    ordersOfA.push(
      await order(buyerA, [
        { sku: x.sku, quantity: 1 },
        { sku: y.sku, quantity: 2 },
      ]),
    );
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

describe("recommendations", () => {
  it("what was bought together is recommended, on the product page too; replays change no aggregate", async () => {
    const recs = await waitFor(
      () => shop("GET", `/v1/recommendations?for=${x.slug}`),
      (r) => (r.body.items as { slug: string }[] | undefined)?.[0]?.slug === y.slug,
    );
    expect((recs.body.items as { slug: string }[])[0]?.slug).toBe(y.slug);
    const page = await waitFor(
      () => shop("GET", `/v1/products/${x.slug}`),
      (r) => (r.body.recommendations as { slug: string }[] | undefined)?.some((p) => p.slug === y.slug) === true,
    );
    expect((page.body.recommendations as { slug: string }[]).map((p) => p.slug)).toContain(y.slug);
    expect((page.body.recommendations as { slug: string }[]).map((p) => p.slug)).not.toContain(x.slug);

    // Three orders, each event delivered three times: counted three times, not nine.
    expect(
      await countIn(
        platform,
        "insights",
        "SELECT orders AS n FROM product_pairs WHERE product_slug = ? AND other_slug = ?",
        x.slug,
        y.slug,
      ),
    ).toBe(3);
    expect(await countIn(platform, "insights", "SELECT SUM(units) AS n FROM product_daily WHERE product_slug = ?", y.slug)).toBe(6);
    const trending = await shop("GET", "/v1/recommendations?for=trending&limit=5");
    expect(
      (trending.body.items as { slug: string }[])
        .map((p) => p.slug)
        .slice(0, 2)
        .sort(),
    ).toEqual([x.slug, y.slug].sort());
  });

  it("a product with no history gets its category's best-sellers; when insights is slow the page still answers in time", async () => {
    const lonely = await pickSku(platform, `v.available >= 5 AND p.flash_sale = 0 AND p.slug NOT IN ('${x.slug}', '${y.slug}')`);
    const fallback = await shop("GET", `/v1/recommendations?for=${lonely.slug}`);
    expect(fallback.status).toBe(200);
    expect((fallback.body.items as unknown[]).length).toBeGreaterThan(0);

    const other = await pickSku(
      platform,
      `v.available >= 5 AND p.flash_sale = 0 AND p.slug NOT IN ('${x.slug}', '${y.slug}', '${lonely.slug}')`,
    );
    expect((await shop("PUT", "/dev/insights-delay", { body: { ms: 3000 } })).status).toBe(204);
    try {
      const started = Date.now();
      const page = await shop("GET", `/v1/products/${other.slug}`);
      const took = Date.now() - started;
      expect(page.status).toBe(200);
      expect(page.body.recommendations).toEqual([]);
      expect(took).toBeLessThan(2500); // the budget is 250 ms; generous for a loaded CI machine, far below the 3 s delay
    } finally {
      expect((await shop("PUT", "/dev/insights-delay", { body: { ms: 0 } })).status).toBe(204);
    }
  });
});

describe("reports", () => {
  it("report totals equal a brute-force sum over the orders", async () => {
    const z = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_trailhead'");
    await order(await registered("Grace Hopper"), [
      { sku: z.sku, quantity: 1 },
      { sku: x.sku, quantity: 4 },
    ]);
    type Line = { kind: string; quantity: number; lineTotal: { amount: number } };
    type Order = { id: string; status: string; lines: Line[] };
    const paid = (o: Order) => !["pending_payment", "payment_failed", "cancelled"].includes(o.status);
    const brute = async () => {
      const orders = ((await admin("GET", `/admin/v1/orders?from=${today()}&to=${today()}`, northwind)).body.items as Order[]).filter(paid);
      const lines = orders.flatMap((o) => o.lines.filter((l) => l.kind === "product"));
      return {
        orders: orders.length,
        units: lines.reduce((s, l) => s + l.quantity, 0),
        revenue: lines.reduce((s, l) => s + l.lineTotal.amount, 0),
      };
    };
    const expected = await brute();
    expect(expected.orders).toBe(4);
    const report = await waitFor(
      () => admin("GET", `/admin/v1/reports/sales?from=${today()}&to=${today()}`, northwind),
      (r) => (r.body.totals as { orders: number } | undefined)?.orders === expected.orders,
    );
    const totals = report.body.totals as {
      orders: number;
      units: number;
      revenue: { amount: number };
      averageOrderValue: { amount: number };
    };
    expect({ orders: totals.orders, units: totals.units, revenue: totals.revenue.amount }).toEqual(expected);
    expect(totals.averageOrderValue.amount).toBe(Math.round(expected.revenue / expected.orders));
    expect((report.body.topProducts as { slug: string; units: number }[])[0]).toMatchObject({ slug: x.slug, units: 7 });
    expect((await admin("GET", "/admin/v1/reports/sales?from=2026-02-30&to=2026-03-01", northwind)).status).toBe(400);

    const platformAdmin = await tokenOf(platform, PLATFORM_ADMIN);
    const overall = await admin("GET", `/admin/v1/reports/platform?from=${today()}&to=${today()}`, platformAdmin);
    expect(overall.body).toMatchObject({ orders: 4 });
    // Carts created: Ada's one cart (a signed-in shopper keeps one cart across orders) and Grace's.
    expect(overall.body).toMatchObject({ carts: 2, conversion: 2 });
    expect((await admin("GET", `/admin/v1/reports/platform?from=${today()}&to=${today()}`, northwind)).status).toBe(403);
  });
});

describe("reviews", () => {
  it("only a buyer whose order was delivered reviews, once; the rating follows moderation", async () => {
    const stranger = await registered("Charles Babbage");
    const review = { rating: 4, title: "Does the job", body: "Sturdy, <b>bold</b> claims met." };
    expect((await shop("POST", `/v1/products/${x.slug}/reviews`, { token: stranger, body: review })).status).toBe(403);
    // Bought but not yet delivered: still not a verified purchase.
    expect((await shop("POST", `/v1/products/${x.slug}/reviews`, { token: buyerA, body: review })).status).toBe(403);

    const orderId = ordersOfA[0] ?? "";
    await waitFor(
      () => admin("GET", `/admin/v1/orders/${orderId}`, northwind),
      (r) => (r.body.shipments as unknown[] | undefined)?.length === 1,
    );
    const shipped = await admin("POST", `/admin/v1/orders/${orderId}/shipments`, northwind, {
      carrier: "DHL",
      trackingNumber: `R-${Date.now()}`,
    });
    expect(shipped.status).toBe(201);
    expect((await admin("POST", `/admin/v1/shipments/${String(shipped.body.id)}/delivered`, northwind)).status).toBe(200);
    const posted = await waitFor(
      () => shop("POST", `/v1/products/${x.slug}/reviews`, { token: buyerA, body: review }),
      (r) => r.status !== 403,
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    expect(posted.body).toMatchObject({ rating: 4, author: "Ada L.", body: review.body, verifiedPurchase: true });
    expect((await shop("POST", `/v1/products/${x.slug}/reviews`, { token: buyerA, body: { ...review, rating: 5 } })).status).toBe(409);
    expect((await shop("POST", `/v1/products/${x.slug}/reviews`, { token: buyerA, body: { ...review, rating: 6 } })).status).toBe(400);

    const listed = await shop("GET", `/v1/products/${x.slug}/reviews`);
    expect(listed.body).toMatchObject({ rating: { average: 4, count: 1 } });
    const detail = await waitFor(
      () => shop("GET", `/v1/products/${x.slug}`),
      (r) => (r.body.rating as { count: number } | undefined)?.count === 1,
      10_000,
    );
    expect(detail.body.rating).toEqual({ average: 4, count: 1 });
    const facet = await waitFor(
      () => shop("GET", `/v1/products?ratingMin=4&limit=100`),
      (r) => (r.body.items as { slug: string }[]).some((p) => p.slug === x.slug),
      10_000,
    );
    expect((facet.body.items as { slug: string; rating: { count: number } }[]).find((p) => p.slug === x.slug)?.rating.count).toBe(1);

    // The merchant hides it: off the shop, out of the rating; another merchant cannot touch it.
    const trailhead = await tokenOf(platform, owner("trailhead"));
    expect((await admin("PATCH", "/admin/v1/reviews", trailhead, { id: posted.body.id, status: "hidden" })).status).toBe(404);
    const hidden = await admin("PATCH", "/admin/v1/reviews", northwind, { id: posted.body.id, status: "hidden" });
    expect(hidden.body).toMatchObject({ status: "hidden" });
    expect((await admin("PATCH", "/admin/v1/reviews", northwind, { id: posted.body.id, status: "hidden" })).status).toBe(200); // again: no change
    expect((await shop("GET", `/v1/products/${x.slug}/reviews`)).body).toMatchObject({ rating: { average: 0, count: 0 }, items: [] });
    await admin("PATCH", "/admin/v1/reviews", northwind, { id: posted.body.id, status: "published" });
    expect((await shop("GET", `/v1/products/${x.slug}/reviews`)).body).toMatchObject({ rating: { average: 4, count: 1 } });
    const mine = (await admin("GET", "/admin/v1/reviews", northwind)).body.items as { id: string }[];
    expect(mine.map((r) => r.id)).toContain(posted.body.id);
    expect(((await admin("GET", "/admin/v1/reviews", trailhead)).body.items as { id: string }[]).map((r) => r.id)).not.toContain(
      posted.body.id,
    );
  });
});
