import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { RETURN_STATUSES, SHIPMENT_STATUSES } from "#schema/events.ts";
import { erasedUsersTable, outboxTable, processedEventsTable } from "#shared/event-tables.ts";

// The fulfilment database: owned by the fulfillment Worker. Shipments, invoices and returns of paid orders.

export const outbox = outboxTable();
export const processedEvents = processedEventsTable();
export const erasedUsers = erasedUsersTable();

// What fulfilment keeps of a paid order (from `order.paid`): who to tell, and every part's lines with their
// prices and tax, from which returns compute exact refunds. Amounts are integer minor units of `currency`.
export const paidOrders = sqliteTable(
  "paid_orders",
  {
    orderId: text("order_id").primaryKey(),
    userId: text("user_id"),
    email: text("email").notNull(),
    currency: text("currency").notNull(),
    // JSON: the order summary's parts (schema/events.ts OrderSummary.parts).
    parts: text("parts").notNull(),
    paidAt: integer("paid_at").notNull(),
  },
  // An erased buyer's orders are found by account.
  (t) => [index("paid_orders_user_idx").on(t.userId)],
);

// One shipment per merchant part: pending → packed → shipped → delivered.
export const shipments = sqliteTable(
  "shipments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    merchantId: text("merchant_id").notNull(),
    status: text("status", { enum: SHIPMENT_STATUSES }).notNull(),
    carrier: text("carrier"),
    trackingNumber: text("tracking_number"),
    createdAt: integer("created_at").notNull(),
    packedAt: integer("packed_at"),
    shippedAt: integer("shipped_at"),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [
    uniqueIndex("shipments_part_idx").on(t.orderId, t.merchantId),
    index("shipments_merchant_idx").on(t.merchantId, t.status, t.createdAt),
    // A parcel (carrier + tracking number, in any case) is one shipment: the carrier webhook finds it by both, so
    // no merchant can register another's parcel and have its delivery move their own shipment instead.
    uniqueIndex("shipments_parcel_idx")
      .on(sql`${t.carrier} COLLATE NOCASE`, sql`${t.trackingNumber} COLLATE NOCASE`)
      .where(sql`${t.trackingNumber} IS NOT NULL`),
  ],
);

// Invoice numbers run per merchant without gaps: the counter and the invoice change in one transaction.
export const invoiceCounters = sqliteTable("invoice_counters", {
  merchantId: text("merchant_id").primaryKey(),
  lastNumber: integer("last_number").notNull(),
});

export const invoices = sqliteTable(
  "invoices",
  {
    orderId: text("order_id").notNull(),
    merchantId: text("merchant_id").notNull(),
    number: integer("number").notNull(),
    // The document in the R2 bucket `documents`.
    documentKey: text("document_key").notNull(),
    total: integer("total").notNull(),
    currency: text("currency").notNull(),
    issuedAt: integer("issued_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.merchantId] }), uniqueIndex("invoices_number_idx").on(t.merchantId, t.number)],
);

// Returns (RMA) of delivered lines of one merchant part: requested → approved → received → refunded.
export const returns = sqliteTable(
  "returns",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    merchantId: text("merchant_id").notNull(),
    status: text("status", { enum: RETURN_STATUSES }).notNull(),
    reason: text("reason").notNull(),
    refundAmount: integer("refund_amount"),
    currency: text("currency").notNull(),
    refundId: text("refund_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("returns_merchant_idx").on(t.merchantId, t.status, t.createdAt), index("returns_order_idx").on(t.orderId)],
);

export const returnLines = sqliteTable(
  "return_lines",
  {
    returnId: text("return_id").notNull(),
    orderId: text("order_id").notNull(),
    sku: text("sku").notNull(),
    quantity: integer("quantity").notNull(),
  },
  (t) => [primaryKey({ columns: [t.returnId, t.sku] }), index("return_lines_order_idx").on(t.orderId, t.sku)],
);

// Carrier webhook deliveries already applied (the carrier's event id): a resent delivery changes nothing.
export const carrierEvents = sqliteTable("carrier_events", {
  id: text("id").primaryKey(),
  receivedAt: integer("received_at").notNull(),
});
