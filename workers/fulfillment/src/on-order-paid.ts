import { and, type Column, eq, notExists, sql } from "drizzle-orm";
import type { EVENT_TYPES, EventEnvelope } from "#schema/events.ts";
import type { Change } from "#shared/d1.ts";
import { invoiceCounters, invoices, paidOrders, shipments } from "../db/tables.ts";
import { type FulfillmentDb, queueEvent } from "./db.ts";
import { forgetIfErased } from "./forget-buyer.ts";
import { invoiceKey } from "./invoices.ts";
import { shippedItems } from "./paid-orders.ts";
import { type ShipmentRow, shipmentEvent, shipmentIdOf } from "./shipments.ts";

/** A value selected as `column` (an INSERT … SELECT names each selected value after the column it fills). */
const bound = <T>(value: T, column: Column) => sql<T>`${sql.param(value, column)}`.as(column.name);

/**
 * order.paid → the order is kept for fulfilment; each merchant part gets a pending shipment (announced as
 * shipment.created) and an invoice with the merchant's next number. Everything is one D1 batch committed with
 * the event's processed mark, so a redelivered event makes no second shipment and uses no second number; and
 * a number is taken only in the transaction that writes its invoice, so numbers have no gaps. A buyer erased
 * before their payment arrives is not kept (forgetIfErased).
 */
export function onOrderPaid(db: FulfillmentDb, event: EventEnvelope<typeof EVENT_TYPES.orderPaid>): Change[] {
  const { data } = event;
  const { parts } = data;
  const now = Date.now();
  const changes: Change[] = [
    db
      .insert(paidOrders)
      .values({
        orderId: data.orderId,
        userId: data.userId,
        email: data.email,
        currency: data.currency,
        parts: JSON.stringify(parts),
        paidAt: now,
      })
      .onConflictDoNothing(),
  ];
  for (const [i, part] of parts.entries()) {
    const shipment: ShipmentRow = {
      id: shipmentIdOf(data.orderId, i),
      orderId: data.orderId,
      merchantId: part.merchantId,
      status: "pending",
      carrier: null,
      trackingNumber: null,
      createdAt: now,
      packedAt: null,
      shippedAt: null,
      deliveredAt: null,
    };
    if (shippedItems(part).length > 0) {
      // shipment.created carries on the request that paid the order.
      changes.push(
        db.insert(shipments).values(shipment).onConflictDoNothing(),
        queueEvent(db, shipmentEvent(shipment, data, event.requestId)),
      );
    }
    const invoiced = and(eq(invoices.orderId, data.orderId), eq(invoices.merchantId, part.merchantId));
    changes.push(
      // The counter moves only if this part has no invoice yet; the invoice takes the number it moved to.
      db
        .insert(invoiceCounters)
        .select(
          sql`SELECT ${part.merchantId}, 1 WHERE ${notExists(db.select({ orderId: invoices.orderId }).from(invoices).where(invoiced))}`,
        )
        .onConflictDoUpdate({ target: invoiceCounters.merchantId, set: { lastNumber: sql`${invoiceCounters.lastNumber} + 1` } }),
      db
        .insert(invoices)
        .select(
          db
            .select({
              orderId: bound(data.orderId, invoices.orderId),
              merchantId: invoiceCounters.merchantId,
              number: invoiceCounters.lastNumber,
              documentKey: bound(invoiceKey(data.orderId, part.merchantId), invoices.documentKey),
              total: bound(part.total, invoices.total),
              currency: bound(data.currency, invoices.currency),
              issuedAt: bound(now, invoices.issuedAt),
            })
            .from(invoiceCounters)
            .where(eq(invoiceCounters.merchantId, part.merchantId)),
        )
        .onConflictDoNothing(),
    );
  }
  // A payment that was on its way when the buyer was erased keeps nothing of them.
  changes.push(...forgetIfErased(db, data.orderId));
  return changes;
}
