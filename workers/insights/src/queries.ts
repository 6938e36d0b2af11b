import type { PlatformReport, ReportQuery, SalesReport } from "#schema/insights/dto.ts";

const DAY_MS = 86_400_000;
const dayText = (at: number) => new Date(at).toISOString().slice(0, 10);

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += DAY_MS) days.push(dayText(at));
  return days;
}

/** Products most often in the same paid order as `slug`. */
export async function alsoBought(db: D1Database, slug: string, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT other_slug FROM product_pairs WHERE product_slug = ? ORDER BY orders DESC, other_slug LIMIT ?")
    .bind(slug, limit)
    .all<{ other_slug: string }>();
  return results.map((r) => r.other_slug);
}

// Trending: units of the last 14 days, each day's weighing half as much as every HALF_LIFE_DAYS before it.
const TRENDING_DAYS = 14;
const HALF_LIFE_DAYS = 3;

export async function trending(db: D1Database, limit: number, now = Date.now()): Promise<string[]> {
  const days = Array.from({ length: TRENDING_DAYS }, (_, age) => ({
    day: dayText(now - age * DAY_MS),
    weight: 0.5 ** (age / HALF_LIFE_DAYS),
  }));
  // The weights ride along as a VALUES table, so the decayed sum and the ranking happen in one query.
  const values = days.map(() => "(?, ?)").join(", ");
  const { results } = await db
    .prepare(
      `WITH w(day, weight) AS (VALUES ${values})
       SELECT p.product_slug, SUM(p.units * w.weight) AS score FROM product_daily p JOIN w ON w.day = p.day
       GROUP BY p.product_slug ORDER BY score DESC, p.product_slug LIMIT ?`,
    )
    .bind(...days.flatMap((d) => [d.day, d.weight]), limit)
    .all<{ product_slug: string }>();
  return results.map((r) => r.product_slug);
}

/** Of the given products, those sold in the last 30 days, best-selling first (the category fallback). */
export async function bestSelling(db: D1Database, slugs: string[], now = Date.now()): Promise<string[]> {
  if (slugs.length === 0) return [];
  const marks = slugs.map(() => "?").join(", ");
  const { results } = await db
    .prepare(
      `SELECT product_slug FROM product_daily WHERE day >= ? AND product_slug IN (${marks})
       GROUP BY product_slug ORDER BY SUM(units) DESC, product_slug`,
    )
    .bind(dayText(now - 30 * DAY_MS), ...slugs)
    .all<{ product_slug: string }>();
  return results.map((r) => r.product_slug);
}

type MerchantDay = { day: string; currency: string; orders: number; units: number; revenue: number };

/** A merchant's sales over a range, from the daily aggregates (one row per day and currency at most). */
export async function salesReport(db: D1Database, merchantId: string | null, q: ReportQuery, shopCurrency: string): Promise<SalesReport> {
  const scope = merchantId === null ? "" : "merchant_id = ? AND";
  const args = merchantId === null ? [q.from, q.to] : [merchantId, q.from, q.to];
  const [days, top] = await db.batch<
    MerchantDay | { product_slug: string; title: string; currency: string; units: number; revenue: number }
  >([
    db
      .prepare(
        `SELECT day, currency, SUM(orders) AS orders, SUM(units) AS units, SUM(revenue) AS revenue FROM merchant_daily
         WHERE ${scope} day BETWEEN ? AND ? GROUP BY day, currency`,
      )
      .bind(...args),
    db
      .prepare(
        `SELECT product_slug, MAX(title) AS title, currency, SUM(units) AS units, SUM(revenue) AS revenue FROM product_daily
         WHERE ${scope} day BETWEEN ? AND ? GROUP BY product_slug, currency ORDER BY revenue DESC, units DESC LIMIT 10`,
      )
      .bind(...args),
  ]);
  const rows = (days?.results ?? []) as MerchantDay[];
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
    topProducts: ((top?.results ?? []) as { product_slug: string; title: string; currency: string; units: number; revenue: number }[])
      .filter((t) => t.currency === currency)
      .map((t) => ({ slug: t.product_slug, title: t.title, units: t.units, revenue: money(t.revenue) })),
    otherCurrencies: [...byCurrency.entries()].filter(([c]) => c !== currency).map(([c, v]) => ({ currency: c, ...v })),
  };
}

export async function platformReport(db: D1Database, q: ReportQuery): Promise<PlatformReport> {
  const [merchants, platform] = await db.batch<PlatformReport["merchants"][number] | { orders: number; carts: number }>([
    db
      .prepare(
        `SELECT merchant_id AS merchantId, currency, SUM(orders) AS orders, SUM(units) AS units, SUM(revenue) AS revenue
         FROM merchant_daily WHERE day BETWEEN ? AND ? GROUP BY merchant_id, currency ORDER BY revenue DESC`,
      )
      .bind(q.from, q.to),
    db
      .prepare("SELECT COALESCE(SUM(orders), 0) AS orders, COALESCE(SUM(carts), 0) AS carts FROM platform_daily WHERE day BETWEEN ? AND ?")
      .bind(q.from, q.to),
  ]);
  const totals = (platform?.results[0] ?? { orders: 0, carts: 0 }) as { orders: number; carts: number };
  return {
    from: q.from,
    to: q.to,
    merchants: (merchants?.results ?? []) as PlatformReport["merchants"],
    orders: totals.orders,
    carts: totals.carts,
    conversion: totals.carts === 0 ? 0 : Math.round((totals.orders / totals.carts) * 10_000) / 10_000,
  };
}
