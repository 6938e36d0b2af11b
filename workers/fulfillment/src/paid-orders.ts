import type { z } from "zod";
import type { OrderPaid } from "../../../schema/events.ts";
import type { PaidLine } from "./refund-share.ts";

// Reads of what fulfilment keeps about paid orders and their shipments.

type OrderPaidData = z.infer<typeof OrderPaid>;
export type PaidPart = {
  merchantId: string;
  subtotal: number;
  shipping: number;
  tax: number;
  total: number;
  lines: (PaidLine & { productSlug: string; unitPrice: number })[];
};
export type PaidOrder = { orderId: string; userId: string | null; email: string; currency: string; parts: PaidPart[]; paidAt: number };

export function partsOf(data: OrderPaidData): PaidPart[] {
  return data.parts.map((p) => ({
    merchantId: p.merchantId,
    subtotal: p.subtotal,
    shipping: p.shipping,
    tax: p.tax,
    total: p.total,
    lines: p.lines.map((l) => ({
      kind: l.kind,
      sku: l.sku,
      productSlug: l.productSlug,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      lineTotal: l.lineTotal,
      tax: l.tax,
    })),
  }));
}

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
