import { eq } from "drizzle-orm";
import type { OrderSummary } from "#schema/events.ts";
import { paidOrders } from "../db/tables.ts";
import type { FulfillmentDb, PaidOrderRow } from "./db.ts";

// Reads of what fulfilment keeps about paid orders and their shipments.

/** A merchant part as order.paid carries it (lines with prices and tax): kept as is. */
export type PaidPart = OrderSummary["parts"][number];
export type PaidOrder = Omit<PaidOrderRow, "parts"> & { parts: PaidPart[] };

export async function loadPaidOrder(db: FulfillmentDb, orderId: string): Promise<PaidOrder | null> {
  const [row] = await db.select().from(paidOrders).where(eq(paidOrders.orderId, orderId)).limit(1);
  return row === undefined ? null : { ...row, parts: JSON.parse(row.parts) as PaidPart[] };
}

/** The units a shipment carries: the part's product lines (warranties ship nothing). */
export const shippedItems = (part: PaidPart | undefined): { sku: string; quantity: number }[] =>
  (part?.lines ?? []).filter((l) => l.kind === "product").map((l) => ({ sku: l.sku, quantity: l.quantity }));
