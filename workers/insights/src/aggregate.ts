import { type Column, sql } from "drizzle-orm";
import type { EVENT_TYPES, EventEnvelope } from "#schema/events.ts";
import type { Change } from "#shared/d1.ts";
import { merchantDaily, platformDaily, productDaily, productPairs } from "../db/tables.ts";
import type { InsightsDb } from "./db.ts";

// Each event as the writes that add it to the aggregates. The consumer commits them in one batch with the
// event's processed mark, so an event counts exactly once however often it is delivered.

const MAX_PAIRED_PRODUCTS = 20;
export const dayOf = (iso: string): string => iso.slice(0, 10);

/** An aggregate's count grown by `n` (what a row already there becomes). */
const plus = (column: Column, n: number) => sql`${column} + ${n}`;

/** The day's platform counts grown by `orders` and `carts` (the day's row is made on its first event). */
const platformDay = (db: InsightsDb, day: string, counts: { orders: number; carts: number }): Change =>
  db
    .insert(platformDaily)
    .values({ day, ...counts })
    .onConflictDoUpdate({
      target: platformDaily.day,
      set: { orders: plus(platformDaily.orders, counts.orders), carts: plus(platformDaily.carts, counts.carts) },
    });

export function orderPaidChanges(db: InsightsDb, event: EventEnvelope<typeof EVENT_TYPES.orderPaid>): Change[] {
  const order = event.data;
  const day = dayOf(event.occurredAt);
  const changes: Change[] = [platformDay(db, day, { orders: 1, carts: 0 })];
  const products = new Map<string, { units: number; revenue: number; merchantId: string; title: string }>();
  for (const part of order.parts) {
    const lines = part.lines.filter((l) => l.kind === "product");
    const units = lines.reduce((sum, l) => sum + l.quantity, 0);
    const revenue = lines.reduce((sum, l) => sum + l.lineTotal, 0);
    changes.push(
      db
        .insert(merchantDaily)
        .values({ merchantId: part.merchantId, day, currency: order.currency, orders: 1, units, revenue })
        .onConflictDoUpdate({
          target: [merchantDaily.merchantId, merchantDaily.day, merchantDaily.currency],
          set: {
            orders: plus(merchantDaily.orders, 1),
            units: plus(merchantDaily.units, units),
            revenue: plus(merchantDaily.revenue, revenue),
          },
        }),
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
    changes.push(
      db
        .insert(productDaily)
        .values({
          productSlug: slug,
          day,
          merchantId: p.merchantId,
          currency: order.currency,
          title: p.title,
          units: p.units,
          revenue: p.revenue,
        })
        .onConflictDoUpdate({
          target: [productDaily.productSlug, productDaily.day],
          set: { units: plus(productDaily.units, p.units), revenue: plus(productDaily.revenue, p.revenue), title: p.title },
        }),
    );
  }
  // "Bought together": every pair of distinct products in the order, both ways round.
  const slugs = [...products.keys()].slice(0, MAX_PAIRED_PRODUCTS);
  for (const a of slugs) {
    for (const b of slugs) {
      if (a === b) continue;
      changes.push(
        db
          .insert(productPairs)
          .values({ productSlug: a, otherSlug: b, orders: 1 })
          .onConflictDoUpdate({
            target: [productPairs.productSlug, productPairs.otherSlug],
            set: { orders: plus(productPairs.orders, 1) },
          }),
      );
    }
  }
  return changes;
}

export function cartCreatedChanges(db: InsightsDb, event: EventEnvelope<typeof EVENT_TYPES.cartCreated>): Change[] {
  return [platformDay(db, dayOf(event.occurredAt), { orders: 0, carts: 1 })];
}
