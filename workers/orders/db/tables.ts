import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { SHIPMENT_STATUSES } from "#schema/events.ts";
import { ORDER_STATUSES } from "#schema/orders/dto.ts";
import { outboxTable, processedEventsTable } from "#shared/event-tables.ts";

// The orders database: owned by the orders Worker. An order is never deleted; its status moves only along
// the transition table in workers/orders/src/order-status.ts, and every move is kept in `order_transitions`.
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    // Signed-in buyer, or null for a guest (who reads the order with the order token, kept as its SHA-256).
    userId: text("user_id"),
    tokenHash: text("token_hash"),
    email: text("email").notNull(),
    status: text("status", { enum: ORDER_STATUSES }).notNull(),
    currency: text("currency").notNull(),
    subtotal: integer("subtotal").notNull(),
    shipping: integer("shipping").notNull(),
    tax: integer("tax").notNull(),
    total: integer("total").notNull(),
    // JSON: the shipping address, and the payment summary (brand, last 4, installment plan); never a card number.
    shippingAddress: text("shipping_address").notNull(),
    payment: text("payment").notNull(),
    cartId: text("cart_id").notNull(),
    // The Checkout object that placed the order (its id): erasing the buyer reaches the request it keeps (24 h).
    // Null for orders placed before it was recorded.
    checkoutId: text("checkout_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("orders_user_idx").on(t.userId, t.createdAt), index("orders_status_idx").on(t.status, t.createdAt)],
);

// One part per merchant: what that merchant fulfils and reports on.
export const orderParts = sqliteTable(
  "order_parts",
  {
    orderId: text("order_id").notNull(),
    merchantId: text("merchant_id").notNull(),
    subtotal: integer("subtotal").notNull(),
    shipping: integer("shipping").notNull(),
    shippingTax: integer("shipping_tax").notNull(),
    tax: integer("tax").notNull(),
    total: integer("total").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.merchantId] }), index("order_parts_merchant_idx").on(t.merchantId, t.orderId)],
);

export const orderLines = sqliteTable(
  "order_lines",
  {
    orderId: text("order_id").notNull(),
    lineNo: integer("line_no").notNull(),
    merchantId: text("merchant_id").notNull(),
    kind: text("kind", { enum: ["product", "warranty"] }).notNull(),
    sku: text("sku").notNull(),
    productSlug: text("product_slug").notNull(),
    title: text("title").notNull(),
    quantity: integer("quantity").notNull(),
    unitPrice: integer("unit_price").notNull(),
    lineTotal: integer("line_total").notNull(),
    tax: integer("tax").notNull(),
    coversSku: text("covers_sku"),
    planId: text("plan_id"),
    years: integer("years"),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.lineNo] })],
);

export const orderTransitions = sqliteTable(
  "order_transitions",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    fromStatus: text("from_status", { enum: ORDER_STATUSES }),
    toStatus: text("to_status", { enum: ORDER_STATUSES }).notNull(),
    reason: text("reason").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("order_transitions_order_idx").on(t.orderId, t.at)],
);

export const outbox = outboxTable();
export const processedEvents = processedEventsTable();

// The shipments of an order as fulfilment reports them (shipment.* events): what the buyer sees on the order,
// and what the order's status follows. A late or repeated event never moves a shipment backwards (`rank`).
export const orderShipments = sqliteTable(
  "order_shipments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    merchantId: text("merchant_id").notNull(),
    status: text("status", { enum: SHIPMENT_STATUSES }).notNull(),
    rank: integer("rank").notNull(),
    carrier: text("carrier"),
    trackingNumber: text("tracking_number"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("order_shipments_order_idx").on(t.orderId)],
);
