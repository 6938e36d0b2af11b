import type { OrderSummary } from "#schema/events.ts";

// Reads of what fulfilment keeps about paid orders and their shipments.

/** A merchant part as order.paid carries it (lines with prices and tax): kept as is. */
export type PaidPart = OrderSummary["parts"][number];
export type PaidOrder = { orderId: string; userId: string | null; email: string; currency: string; parts: PaidPart[]; paidAt: number };

type PaidOrderRow = { order_id: string; user_id: string | null; email: string; currency: string; parts: string; paid_at: number };

export async function loadPaidOrder(db: D1Database, orderId: string): Promise<PaidOrder | null> {
  const row = await db.prepare("SELECT * FROM paid_orders WHERE order_id = ?").bind(orderId).first<PaidOrderRow>();
  if (row === null) return null;
  return {
    orderId: row.order_id,
    userId: row.user_id,
    email: row.email,
    currency: row.currency,
    parts: JSON.parse(row.parts) as PaidPart[],
    paidAt: row.paid_at,
  };
}

/** The units a shipment carries: the part's product lines (warranties ship nothing). */
export const shippedItems = (part: PaidPart | undefined): { sku: string; quantity: number }[] =>
  (part?.lines ?? []).filter((l) => l.kind === "product").map((l) => ({ sku: l.sku, quantity: l.quantity }));
