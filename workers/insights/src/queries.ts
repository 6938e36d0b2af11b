import { and, asc, between, type Column, desc, eq, gte, inArray, sql } from "drizzle-orm";
import type { PlatformReport, ReportQuery, SalesReport } from "#schema/insights/dto.ts";
import { inList } from "#shared/d1.ts";
import { merchantDaily, platformDaily, productDaily, productPairs } from "../db/tables.ts";
import type { InsightsDb } from "./db.ts";

const DAY_MS = 86_400_000;
const dayText = (at: number) => new Date(at).toISOString().slice(0, 10);

/** A column summed over the group (SQLite sums integers exactly, as integers). */
const total = (column: Column) => sql<number>`SUM(${column})`;

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += DAY_MS) days.push(dayText(at));
  return days;
}

/** Products most often in the same paid order as `slug`. */
export async function alsoBought(db: InsightsDb, slug: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ slug: productPairs.otherSlug })
    .from(productPairs)
    .where(eq(productPairs.productSlug, slug))
    .orderBy(desc(productPairs.orders), asc(productPairs.otherSlug))
    .limit(limit);
  return rows.map((r) => r.slug);
}

// Trending: units of the last 14 days, each day's weighing half as much as every HALF_LIFE_DAYS before it.
const TRENDING_DAYS = 14;
const HALF_LIFE_DAYS = 3;

export async function trending(db: InsightsDb, limit: number, now = Date.now()): Promise<string[]> {
  const days = Array.from({ length: TRENDING_DAYS }, (_, age) => ({
    day: dayText(now - age * DAY_MS),
    weight: 0.5 ** (age / HALF_LIFE_DAYS),
  }));
  // The weights ride along as a CASE on the day, so the decayed sum and the ranking happen in one query.
  const weight = sql`CASE ${productDaily.day} ${sql.join(
    days.map((d) => sql`WHEN ${d.day} THEN ${d.weight}`),
    sql` `,
  )} END`;
  const score = sql`SUM(${productDaily.units} * ${weight})`;
  const rows = await db
    .select({ slug: productDaily.productSlug })
    .from(productDaily)
    .where(
      inArray(
        productDaily.day,
        days.map((d) => d.day),
      ),
    )
    .groupBy(productDaily.productSlug)
    .orderBy(desc(score), asc(productDaily.productSlug))
    .limit(limit);
  return rows.map((r) => r.slug);
}

/** Of the given products, those sold in the last 30 days, best-selling first (the category fallback). */
export async function bestSelling(db: InsightsDb, slugs: string[], now = Date.now()): Promise<string[]> {
  if (slugs.length === 0) return [];
  const rows = await db
    .select({ slug: productDaily.productSlug })
    .from(productDaily)
    .where(and(gte(productDaily.day, dayText(now - 30 * DAY_MS)), inList(productDaily.productSlug, slugs)))
    .groupBy(productDaily.productSlug)
    .orderBy(desc(total(productDaily.units)), asc(productDaily.productSlug));
  return rows.map((r) => r.slug);
}

/** A merchant's sales summed over a group of its daily rows, per currency (a report's row). */
const merchantSales = {
  currency: merchantDaily.currency,
  orders: total(merchantDaily.orders),
  units: total(merchantDaily.units),
  revenue: total(merchantDaily.revenue),
};

/** A merchant's sales over a range, from the daily aggregates (one row per day and currency at most). */
export async function salesReport(db: InsightsDb, merchantId: string | null, q: ReportQuery, shopCurrency: string): Promise<SalesReport> {
  const scope = (table: typeof merchantDaily | typeof productDaily) =>
    and(merchantId === null ? undefined : eq(table.merchantId, merchantId), between(table.day, q.from, q.to));
  const [rows, top] = await db.batch([
    db
      .select({ day: merchantDaily.day, ...merchantSales })
      .from(merchantDaily)
      .where(scope(merchantDaily))
      .groupBy(merchantDaily.day, merchantDaily.currency),
    db
      .select({
        slug: productDaily.productSlug,
        title: sql<string>`MAX(${productDaily.title})`,
        currency: productDaily.currency,
        units: total(productDaily.units),
        revenue: total(productDaily.revenue),
      })
      .from(productDaily)
      .where(scope(productDaily))
      .groupBy(productDaily.productSlug, productDaily.currency)
      .orderBy(desc(total(productDaily.revenue)), desc(total(productDaily.units)))
      .limit(10),
  ]);
  // The report is in the merchant's currency: the one most of its orders are in (the shop's when it has none).
  const byCurrency = new Map<string, { orders: number; revenue: number }>();
  for (const r of rows) {
    const c = byCurrency.get(r.currency) ?? { orders: 0, revenue: 0 };
    byCurrency.set(r.currency, { orders: c.orders + r.orders, revenue: c.revenue + r.revenue });
  }
  const currency = [...byCurrency.entries()].sort((a, b) => b[1].orders - a[1].orders)[0]?.[0] ?? shopCurrency;
  const money = (amount: number) => ({ amount, currency });
  const own = rows.filter((r) => r.currency === currency);
  const totals = own.reduce((t, r) => ({ orders: t.orders + r.orders, units: t.units + r.units, revenue: t.revenue + r.revenue }), {
    orders: 0,
    units: 0,
    revenue: 0,
  });
  return {
    from: q.from,
    to: q.to,
    currency,
    days: daysBetween(q.from, q.to).map((date) => {
      const r = own.find((x) => x.day === date);
      return { date, orders: r?.orders ?? 0, units: r?.units ?? 0, revenue: money(r?.revenue ?? 0) };
    }),
    totals: {
      ...totals,
      revenue: money(totals.revenue),
      averageOrderValue: money(totals.orders === 0 ? 0 : Math.round(totals.revenue / totals.orders)),
    },
    topProducts: top
      .filter((t) => t.currency === currency)
      .map((t) => ({ slug: t.slug, title: t.title, units: t.units, revenue: money(t.revenue) })),
    otherCurrencies: [...byCurrency.entries()].filter(([c]) => c !== currency).map(([c, v]) => ({ currency: c, ...v })),
  };
}

export async function platformReport(db: InsightsDb, q: ReportQuery): Promise<PlatformReport> {
  const [merchants, [totals = { orders: 0, carts: 0 }]] = await db.batch([
    db
      .select({ merchantId: merchantDaily.merchantId, ...merchantSales })
      .from(merchantDaily)
      .where(between(merchantDaily.day, q.from, q.to))
      .groupBy(merchantDaily.merchantId, merchantDaily.currency)
      .orderBy(desc(total(merchantDaily.revenue))),
    db
      .select({
        orders: sql<number>`COALESCE(${total(platformDaily.orders)}, 0)`,
        carts: sql<number>`COALESCE(${total(platformDaily.carts)}, 0)`,
      })
      .from(platformDaily)
      .where(between(platformDaily.day, q.from, q.to)),
  ]);
  return {
    from: q.from,
    to: q.to,
    merchants,
    orders: totals.orders,
    carts: totals.carts,
    conversion: totals.carts === 0 ? 0 : Math.round((totals.orders / totals.carts) * 10_000) / 10_000,
  };
}
