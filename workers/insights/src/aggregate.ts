import type { EVENT_TYPES, EventEnvelope } from "#schema/events.ts";

// Each event as the statements that add it to the aggregates. The consumer commits them in one batch with the
// event's processed mark, so an event counts exactly once however often it is delivered.

const MAX_PAIRED_PRODUCTS = 20;
export const dayOf = (iso: string): string => iso.slice(0, 10);

type Statement = D1PreparedStatement;

export function orderPaidStatements(db: D1Database, event: EventEnvelope<typeof EVENT_TYPES.orderPaid>): Statement[] {
  const order = event.data;
  const day = dayOf(event.occurredAt);
  const statements: Statement[] = [
    db
      .prepare("INSERT INTO platform_daily (day, orders, carts) VALUES (?, 1, 0) ON CONFLICT (day) DO UPDATE SET orders = orders + 1")
      .bind(day),
  ];
  const products = new Map<string, { units: number; revenue: number; merchantId: string; title: string }>();
  for (const part of order.parts) {
    const lines = part.lines.filter((l) => l.kind === "product");
    const units = lines.reduce((sum, l) => sum + l.quantity, 0);
    const revenue = lines.reduce((sum, l) => sum + l.lineTotal, 0);
    statements.push(
      db
        .prepare(
          `INSERT INTO merchant_daily (merchant_id, day, currency, orders, units, revenue) VALUES (?, ?, ?, 1, ?, ?)
           ON CONFLICT (merchant_id, day, currency) DO UPDATE SET orders = orders + 1, units = units + excluded.units, revenue = revenue + excluded.revenue`,
        )
        .bind(part.merchantId, day, order.currency, units, revenue),
    );
    for (const line of lines) {
      const seen = products.get(line.productSlug) ?? {
        units: 0,
        revenue: 0,
        merchantId: part.merchantId,
        title: line.title ?? line.productSlug,
      };
      products.set(line.productSlug, { ...seen, units: seen.units + line.quantity, revenue: seen.revenue + line.lineTotal });
    }
  }
  for (const [slug, p] of products) {
    statements.push(
      db
        .prepare(
          `INSERT INTO product_daily (product_slug, day, merchant_id, currency, title, units, revenue) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (product_slug, day) DO UPDATE SET units = units + excluded.units, revenue = revenue + excluded.revenue, title = excluded.title`,
        )
        .bind(slug, day, p.merchantId, order.currency, p.title, p.units, p.revenue),
    );
  }
  // "Bought together": every pair of distinct products in the order, both ways round.
  const slugs = [...products.keys()].slice(0, MAX_PAIRED_PRODUCTS);
  for (const a of slugs) {
    for (const b of slugs) {
      if (a === b) continue;
      statements.push(
        db
          .prepare(
            "INSERT INTO product_pairs (product_slug, other_slug, orders) VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET orders = orders + 1",
          )
          .bind(a, b),
      );
    }
  }
  return statements;
}

export function cartCreatedStatements(db: D1Database, event: EventEnvelope<typeof EVENT_TYPES.cartCreated>): Statement[] {
  return [
    db
      .prepare("INSERT INTO platform_daily (day, orders, carts) VALUES (?, 0, 1) ON CONFLICT (day) DO UPDATE SET carts = carts + 1")
      .bind(dayOf(event.occurredAt)),
  ];
}
