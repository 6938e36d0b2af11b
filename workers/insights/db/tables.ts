import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { processedEventsTable } from "#shared/event-tables.ts";

// The insights database: owned by the insights Worker. Only aggregates, each kept incrementally from the
// events (an event's statements commit with its processed_events mark, so a replay adds nothing); reports and
// recommendations read these, never raw orders. Days are UTC `YYYY-MM-DD`; products are named by slug.

export const processedEvents = processedEventsTable();

/** Paid orders that had both products (each pair stored both ways, so "bought with X" is one index range). */
export const productPairs = sqliteTable(
  "product_pairs",
  {
    productSlug: text("product_slug").notNull(),
    otherSlug: text("other_slug").notNull(),
    orders: integer("orders").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productSlug, t.otherSlug] }), index("product_pairs_rank_idx").on(t.productSlug, t.orders)],
);

/** Units and revenue of one product per day: trending (decayed), best-sellers, a merchant's top products. */
export const productDaily = sqliteTable(
  "product_daily",
  {
    productSlug: text("product_slug").notNull(),
    day: text("day").notNull(),
    merchantId: text("merchant_id").notNull(),
    currency: text("currency").notNull(),
    title: text("title").notNull(),
    units: integer("units").notNull(),
    revenue: integer("revenue").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.productSlug, t.day] }),
    index("product_daily_day_idx").on(t.day),
    index("product_daily_merchant_idx").on(t.merchantId, t.day),
  ],
);

/** One merchant's sales per day (its part of each paid order): orders, units, revenue (the part's goods subtotal). */
export const merchantDaily = sqliteTable(
  "merchant_daily",
  {
    merchantId: text("merchant_id").notNull(),
    day: text("day").notNull(),
    currency: text("currency").notNull(),
    orders: integer("orders").notNull(),
    units: integer("units").notNull(),
    revenue: integer("revenue").notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.day, t.currency] })],
);

/** The platform per day: paid orders (an order of two merchants counts once) and carts created. */
export const platformDaily = sqliteTable("platform_daily", {
  day: text("day").primaryKey(),
  orders: integer("orders").notNull().default(0),
  carts: integer("carts").notNull().default(0),
});
