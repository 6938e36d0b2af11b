import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { commit } from "#shared/d1.ts";
import { cartCreatedChanges, orderPaidChanges } from "../src/aggregate.ts";
import { insightsDb } from "../src/db.ts";
import { alsoBought, bestSelling, daysBetween, platformReport, salesReport, trending } from "../src/queries.ts";
import { cartCreated, paidOrder, unique } from "./events.ts";

const db = insightsDb(env.DB);
const record = async (...events: Parameters<typeof orderPaidChanges>[1][]) => {
  for (const event of events) await commit(db, orderPaidChanges(db, event));
};
const DAY_MS = 86_400_000;
const dayAgo = (now: number, days: number) => new Date(now - days * DAY_MS).toISOString().slice(0, 10);

describe("daysBetween", () => {
  it("lists every day, both ends included, across a month", () => {
    expect(daysBetween("2024-02-27", "2024-03-01")).toEqual(["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]);
    expect(daysBetween("2024-03-01", "2024-03-01")).toEqual(["2024-03-01"]);
    expect(daysBetween("2024-03-02", "2024-03-01")).toEqual([]);
  });
});

describe("alsoBought", () => {
  it("ranks the products most often in the same order first, then by slug", async () => {
    const m = unique("m");
    const [p, often, once, also] = [unique("p"), unique("often"), unique("b-once"), unique("a-once")];
    const line = (slug: string) => ({ slug, quantity: 1, price: 100 });
    await record(
      paidOrder("2025-03-01", { [m]: [line(p), line(often), line(once)] }),
      paidOrder("2025-03-02", { [m]: [line(p), line(often)] }),
      paidOrder("2025-03-03", { [m]: [line(p), line(also)] }),
    );
    expect(await alsoBought(db, p, 10)).toEqual([often, ...[once, also].sort()]);
    expect(await alsoBought(db, p, 1)).toEqual([often]);
    expect(await alsoBought(db, unique("never-sold"), 5)).toEqual([]);
  });
});

describe("trending", () => {
  it("weighs recent days more than older ones, and ignores sales older than two weeks", async () => {
    // A day in the future of every other test's data, so only this test's products are in the window.
    const now = Date.parse("2031-06-15T12:00:00Z");
    const m = unique("m");
    const [today, lastWeek, ancient] = [unique("today"), unique("last-week"), unique("ancient")];
    await record(
      paidOrder(dayAgo(now, 0), { [m]: [{ slug: today, quantity: 3, price: 1 }] }),
      // 7 units a week ago weigh 7 × 0.5^(7/3) ≈ 1.4: less than 3 today.
      paidOrder(dayAgo(now, 7), { [m]: [{ slug: lastWeek, quantity: 7, price: 1 }] }),
      paidOrder(dayAgo(now, 20), { [m]: [{ slug: ancient, quantity: 100, price: 1 }] }),
    );
    expect(await trending(db, 10, now)).toEqual([today, lastWeek]);
    expect(await trending(db, 1, now)).toEqual([today]);
  });
});

describe("bestSelling", () => {
  it("orders the given products by units of the last 30 days, and leaves out the unsold", async () => {
    const now = Date.parse("2032-01-31T12:00:00Z");
    const m = unique("m");
    const [few, many, old, unsold] = [unique("few"), unique("many"), unique("old"), unique("unsold")];
    await record(
      paidOrder(dayAgo(now, 1), { [m]: [{ slug: few, quantity: 1, price: 1 }] }),
      paidOrder(dayAgo(now, 29), { [m]: [{ slug: many, quantity: 5, price: 1 }] }),
      paidOrder(dayAgo(now, 40), { [m]: [{ slug: old, quantity: 50, price: 1 }] }),
    );
    expect(await bestSelling(db, [few, many, old, unsold], now)).toEqual([many, few]);
    expect(await bestSelling(db, [], now)).toEqual([]);
    // As many as the storefront asks about (100, its schema's limit), with the date: one parameter past D1's 100.
    const category = [...Array.from({ length: 98 }, (_, i) => unique(`other-${i}`)), few, many];
    expect(await bestSelling(db, category, now)).toEqual([many, few]);
  });
});

describe("salesReport", () => {
  it("reports a merchant's days, totals and top products in the currency most of its orders are in", async () => {
    const [m, other] = [unique("m"), unique("m")];
    const [boot, hat, euro] = [unique("boot"), unique("hat"), unique("euro")];
    await record(
      paidOrder("2025-04-01", { [m]: [{ slug: boot, quantity: 1, price: 8000, title: "Boot" }] }),
      paidOrder("2025-04-03", { [m]: [{ slug: hat, quantity: 2, price: 1500, title: "Hat" }] }),
      paidOrder("2025-04-03", { [m]: [{ slug: euro, quantity: 1, price: 999 }] }, "EUR"),
      paidOrder("2025-04-02", { [other]: [{ slug: unique("x"), quantity: 9, price: 9 }] }),
    );
    const report = await salesReport(db, m, { from: "2025-04-01", to: "2025-04-03" }, "GBP");
    expect(report.currency).toBe("USD");
    expect(report.days).toEqual([
      { date: "2025-04-01", orders: 1, units: 1, revenue: { amount: 8000, currency: "USD" } },
      { date: "2025-04-02", orders: 0, units: 0, revenue: { amount: 0, currency: "USD" } },
      { date: "2025-04-03", orders: 1, units: 2, revenue: { amount: 3000, currency: "USD" } },
    ]);
    expect(report.totals).toEqual({
      orders: 2,
      units: 3,
      revenue: { amount: 11_000, currency: "USD" },
      averageOrderValue: { amount: 5500, currency: "USD" },
    });
    expect(report.topProducts.map((t) => [t.title, t.revenue.amount])).toEqual([
      ["Boot", 8000],
      ["Hat", 3000],
    ]);
    expect(report.otherCurrencies).toEqual([{ currency: "EUR", orders: 1, revenue: 999 }]);
  });

  it("is empty, in the shop's currency, for a merchant with no sales", async () => {
    const report = await salesReport(db, unique("m"), { from: "2025-04-01", to: "2025-04-02" }, "GBP");
    expect(report.currency).toBe("GBP");
    expect(report.days.map((d) => d.orders)).toEqual([0, 0]);
    expect(report.totals.averageOrderValue).toEqual({ amount: 0, currency: "GBP" });
    expect(report.topProducts).toEqual([]);
  });
});

describe("platformReport", () => {
  it("counts orders against carts over the range", async () => {
    const [m1, m2] = [unique("m"), unique("m")];
    // Days no other test uses.
    await record(
      paidOrder("2019-05-01", { [m1]: [{ slug: unique("p"), quantity: 1, price: 300 }] }),
      paidOrder("2019-05-02", { [m2]: [{ slug: unique("p"), quantity: 1, price: 100 }] }),
      paidOrder("2019-05-09", { [m2]: [{ slug: unique("p"), quantity: 1, price: 100 }] }),
    );
    for (const day of ["2019-05-01", "2019-05-01", "2019-05-02", "2019-05-02", "2019-05-02", "2019-05-02"]) {
      await commit(db, cartCreatedChanges(db, cartCreated(day)));
    }
    const report = await platformReport(db, { from: "2019-05-01", to: "2019-05-02" });
    expect(report.orders).toBe(2);
    expect(report.carts).toBe(6);
    expect(report.conversion).toBe(0.3333);
    expect(report.merchants.map((x) => [x.merchantId, x.revenue])).toEqual([
      [m1, 300],
      [m2, 100],
    ]);
  });

  it("has a conversion of 0 when no cart was opened", async () => {
    expect((await platformReport(db, { from: "2018-01-01", to: "2018-01-02" })).conversion).toBe(0);
  });
});
