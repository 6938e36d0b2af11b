import type { EVENT_TYPES, EventEnvelope } from "#schema/events.ts";
import { forgetIfErased } from "./forget-buyer.ts";
import { invoiceKey } from "./invoices.ts";
import { shippedItems } from "./paid-orders.ts";
import { type ShipmentRow, shipmentEvent, shipmentIdOf } from "./shipments.ts";

/**
 * order.paid → the order is kept for fulfilment; each merchant part gets a pending shipment (announced as
 * shipment.created) and an invoice with the merchant's next number. Everything is one D1 batch committed with
 * the event's processed mark, so a redelivered event makes no second shipment and uses no second number; and
 * a number is taken only in the transaction that writes its invoice, so numbers have no gaps. A buyer erased
 * before their payment arrives is not kept (forgetIfErased).
 */
export function onOrderPaid(db: D1Database, event: EventEnvelope<typeof EVENT_TYPES.orderPaid>): D1PreparedStatement[] {
  const { data } = event;
  const { parts } = data;
  const now = Date.now();
  const statements: D1PreparedStatement[] = [
    db
      .prepare("INSERT OR IGNORE INTO paid_orders (order_id, user_id, email, currency, parts, paid_at) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(data.orderId, data.userId, data.email, data.currency, JSON.stringify(parts), now),
  ];
  for (const [i, part] of parts.entries()) {
    const shipment: ShipmentRow = {
      id: shipmentIdOf(data.orderId, i),
      order_id: data.orderId,
      merchant_id: part.merchantId,
      status: "pending",
      carrier: null,
      tracking_number: null,
      created_at: now,
      shipped_at: null,
      delivered_at: null,
    };
    if (shippedItems(part).length > 0) {
      // shipment.created carries on the request that paid the order.
      const created = shipmentEvent(shipment, data, event.requestId);
      statements.push(
        db
          .prepare("INSERT OR IGNORE INTO shipments (id, order_id, merchant_id, status, created_at) VALUES (?, ?, ?, 'pending', ?)")
          .bind(shipment.id, data.orderId, part.merchantId, now),
        db
          .prepare("INSERT OR IGNORE INTO outbox (id, body, created_at) VALUES (?, ?, ?)")
          .bind(created.id, created.body, created.createdAt),
      );
    }
    statements.push(
      // The counter moves only if this part has no invoice yet; the invoice takes the number it moved to.
      db
        .prepare(
          `INSERT INTO invoice_counters (merchant_id, last_number)
             SELECT ?, 1 WHERE NOT EXISTS (SELECT 1 FROM invoices WHERE order_id = ? AND merchant_id = ?)
           ON CONFLICT (merchant_id) DO UPDATE SET last_number = last_number + 1`,
        )
        .bind(part.merchantId, data.orderId, part.merchantId),
      db
        .prepare(
          `INSERT OR IGNORE INTO invoices (order_id, merchant_id, number, document_key, total, currency, issued_at)
             SELECT ?, ?, last_number, ?, ?, ?, ? FROM invoice_counters WHERE merchant_id = ?`,
        )
        .bind(data.orderId, part.merchantId, invoiceKey(data.orderId, part.merchantId), part.total, data.currency, now, part.merchantId),
    );
  }
  // A payment that was on its way when the buyer was erased keeps nothing of them.
  statements.push(...forgetIfErased(db, data.orderId));
  return statements;
}
