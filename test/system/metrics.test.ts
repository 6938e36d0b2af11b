import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLATFORM_ADMIN, tokenOf, waitFor } from "./after-sale-client.ts";
import { pickSku } from "./cart-client.ts";
import { CARDS, checkoutBody, type Json, shopper, stockOf } from "./checkout-client.ts";
import { call } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

// The operations metrics through the real runtime: the Workers write points with `writeDataPoint` (to the local
// sink that stands in for Analytics Engine under npm start), and the admin API the operations page draws reads
// them back. One dead letter past the threshold (0 here) makes the admin's /health degraded, naming the check.
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let n = 0;
const nextIp = () => `203.0.113.${++n % 250}`;
const key = () => `key-${crypto.randomUUID()}`;

type Report = {
  source: string;
  unavailable: string | null;
  totals: { checkouts: Record<string, number>; oversellRefusals: number; requests: number };
  rows: {
    routes: { service: string; route: string; method: string; count: number; errors: number; p50: number; p99: number }[];
    gauges: { kind: string; source: string; pending: number; oldestSeconds: number }[];
    oversell: { count: number }[];
  };
  alerts: { check: string; detail: string }[];
};

beforeAll(async () => {
  platform = await boot(state.dir, {
    demoSize: 120,
    // A Checkout object whose events can be made to wait in the outbox (fault+publish-fails@…).
    entries: { orders: "workers/orders/test/orders-with-faults.ts" },
    vars: {
      admin: { ALERT_DEAD_LETTERS: "0" },
      orders: { ALERT_OUTBOX_AGE_SECONDS: "1" },
      notifications: { EVENT_RETRY_DELAY_SECONDS: "0", EVENT_MAX_ATTEMPTS: "2" },
    },
  });
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

const report = async (token: string): Promise<Report> => {
  const res = await call(platform.adminUrl, "GET", "/admin/v1/operations/metrics?range=hour", { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as unknown as Report;
};

describe("operations metrics", () => {
  it("counts checkouts by outcome, oversell refusals and each route's p50/p99, as the page reads them", async () => {
    const admin = await tokenOf(platform, PLATFORM_ADMIN);
    const plenty = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0");
    const scarce = await pickSku(platform, "v.available BETWEEN 2 AND 10 AND p.flash_sale = 0");

    const placed = shopper(platform, nextIp());
    const cart1 = await placed.cart([{ sku: plenty.sku, quantity: 1 }]);
    expect((await placed.checkout(cart1, key())).status).toBe(201);

    const declined = shopper(platform, nextIp());
    const cart2 = await declined.cart([{ sku: plenty.sku, quantity: 1 }]);
    expect((await declined.checkout(cart2, key(), checkoutBody(cart2.id, CARDS.declined))).status).toBe(402);

    // Both carts hold nothing (not a flash sale): the first checkout takes every unit, the second finds none.
    const { available } = await stockOf(platform, scarce.sku);
    const first = shopper(platform, nextIp());
    const second = shopper(platform, nextIp());
    const cartA = await first.cart([{ sku: scarce.sku, quantity: available }]);
    const cartB = await second.cart([{ sku: scarce.sku, quantity: 1 }]);
    expect((await first.checkout(cartA, key())).status).toBe(201);
    expect((await second.checkout(cartB, key())).status).toBe(409);

    const seen = await waitFor(
      () => report(admin),
      (r) =>
        (r.totals.checkouts.placed ?? 0) >= 2 && (r.totals.checkouts.declined ?? 0) >= 1 && (r.totals.checkouts.out_of_stock ?? 0) >= 1,
    );
    expect(seen.source).toBe("local");
    expect(seen.unavailable).toBeNull();
    expect(seen.totals.checkouts).toEqual({ placed: 2, declined: 1, out_of_stock: 1, failed: 0 });
    // Inventory refused the out-of-stock hold: an oversell refusal.
    expect(seen.totals.oversellRefusals).toBeGreaterThanOrEqual(1);

    // Routes by their pattern, never the raw path: the cart's id is not in any route.
    const checkout = seen.rows.routes.find((r) => r.service === "storefront" && r.route === "/v1/checkout" && r.method === "POST");
    expect(checkout).toMatchObject({ count: 4, errors: 0 });
    expect(checkout?.p99).toBeGreaterThanOrEqual(checkout?.p50 ?? 0);
    const addItem = seen.rows.routes.find((r) => r.service === "storefront" && r.method === "POST" && r.route.includes("/items"));
    expect(addItem?.route).toMatch(/^\/v1\/carts\/:[a-zA-Z]+\/items$/);
    expect(addItem?.count).toBe(4);
    expect(JSON.stringify(seen.rows.routes)).not.toContain(cart1.id);
  });

  it("a dead letter past the threshold: /health degraded naming the check, the alert on the page, the count charted", async () => {
    const admin = await tokenOf(platform, PLATFORM_ADMIN);
    const healthy = await call(platform.adminUrl, "GET", "/health");
    expect(healthy.status, JSON.stringify(healthy.body)).toBe(200);
    expect((healthy.body.checks as Record<string, Json>).deadLetters).toMatchObject({ ok: true, pending: 0 });
    expect((await report(admin)).alerts).toEqual([]);

    // A receipt that cannot be sent: notifications gives up after its attempts and dead-letters it.
    const email = `poison-${crypto.randomUUID().slice(0, 8)}@example.com`;
    expect((await call(platform.url, "PUT", "/dev/mail-faults", { body: { to: email, reason: "mailbox full" } })).status).toBe(200);
    const item = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0");
    const buyer = shopper(platform, nextIp());
    const cart = await buyer.cart([{ sku: item.sku, quantity: 1 }]);
    expect((await buyer.checkout(cart, key(), { ...checkoutBody(cart.id), email })).status).toBe(201);

    const degraded = await waitFor(
      () => call(platform.adminUrl, "GET", "/health"),
      (r) => r.status === 503,
      30_000,
    );
    expect(degraded.body.status).toBe("degraded");
    const check = (degraded.body.checks as Record<string, { ok: boolean; pending: number; detail: string }>).deadLetters;
    expect(check).toMatchObject({ ok: false, pending: 1 });
    expect(check?.detail).toContain("alert above 0");
    expect((await report(admin)).alerts).toEqual([{ check: "deadLetters", detail: check?.detail }]);

    // The crons sample the dead letters and the outboxes every minute: fired here rather than waited for.
    for (const name of ["admin", "orders"]) {
      await (await platform.miniflare.getWorker(name)).scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    }
    const sampled = await waitFor(
      () => report(admin),
      (r) => r.rows.gauges.some((g) => g.kind === "dead_letters" && g.pending === 1) && r.rows.gauges.some((g) => g.source === "orders"),
    );
    expect(sampled.rows.gauges.find((g) => g.kind === "backlog" && g.source === "orders")).toMatchObject({ kind: "backlog" });

    // Merchants do not see the platform's operations.
    const owner = await tokenOf(platform, "owner@northwind.demo.edge-commerce.dev");
    expect((await call(platform.adminUrl, "GET", "/admin/v1/operations/metrics", { token: owner })).status).toBe(403);
  });

  it("an outbox event older than the threshold: orders' /health degraded naming the outbox, shown on the admin's", async () => {
    const admin = await tokenOf(platform, PLATFORM_ADMIN);
    const item = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0");
    const buyer = shopper(platform, nextIp());
    const cart = await buyer.cart([{ sku: item.sku, quantity: 1 }]);
    // The queue "does not take" this order's events: they wait in the outbox for the cron (a minute away).
    const body = { ...checkoutBody(cart.id), email: "fault+publish-fails@example.com" };
    expect((await buyer.checkout(cart, key(), body)).status).toBe(201);

    const orders = await platform.miniflare.getWorker("orders");
    const degraded = await waitFor(
      async () => {
        const res = await orders.fetch("http://internal/health");
        return {
          status: res.status,
          body: (await res.json()) as { checks: Record<string, { ok: boolean; pending?: number; detail?: string }> },
        };
      },
      (r) => r.status === 503,
      10_000,
    );
    expect(degraded.body.checks.outbox).toMatchObject({ ok: false });
    expect(degraded.body.checks.outbox?.pending).toBeGreaterThan(0);
    expect(degraded.body.checks.outbox?.detail).toContain("alert above 1 s");
    const alerts = (await report(admin)).alerts;
    expect(alerts.find((a) => a.check === "orders")?.detail).toContain("outbox: the oldest unsent event is");

    // The cron sends them: the check holds again.
    await orders.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    expect((await orders.fetch("http://internal/health")).status).toBe(200);
  });
});
