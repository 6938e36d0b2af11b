import { type D1Db, d1Db } from "#shared/d1.ts";
import { type orderLines, type orderParts, type orderShipments, orders } from "../db/tables.ts";

// The orders database (one owner: this Worker), through drizzle with the tables of db/tables.ts.

export type OrdersDb = D1Db;

export const ordersDb = (d1: D1Database): OrdersDb => d1Db(d1);

/** An order as every read shows it: everything but how it was placed (cart, Checkout object) and when it last changed. */
export const orderColumns = {
  id: orders.id,
  userId: orders.userId,
  tokenHash: orders.tokenHash,
  email: orders.email,
  status: orders.status,
  currency: orders.currency,
  subtotal: orders.subtotal,
  shipping: orders.shipping,
  tax: orders.tax,
  total: orders.total,
  shippingAddress: orders.shippingAddress,
  payment: orders.payment,
  createdAt: orders.createdAt,
};
export type OrderRow = Pick<typeof orders.$inferSelect, keyof typeof orderColumns>;
export type PartRow = typeof orderParts.$inferSelect;
export type LineRow = typeof orderLines.$inferSelect;
export type ShipmentRow = typeof orderShipments.$inferSelect;
