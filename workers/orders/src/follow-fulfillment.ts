import { EVENT_TYPES, SHIPMENT_STATUSES, type ShipmentChanged } from "#schema/events.ts";
import type { OrderStatus } from "#schema/orders/dto.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import type { Logger } from "#shared/logger.ts";
import { moveOrder } from "./order-status.ts";

const RANK = Object.fromEntries(SHIPMENT_STATUSES.map((s, i) => [s, i])) as Record<ShipmentChanged["status"], number>;

/**
 * The order follows its shipments: fulfilling once any part has a shipment, shipped once every part with goods
 * has shipped, delivered once every one is delivered. Events may come late or twice: a shipment's copy here
 * only moves forward (by rank), and the order's status is derived from all of them, one allowed step at a time.
 */
async function followShipment(db: D1Database, log: Logger, s: ShipmentChanged): Promise<D1PreparedStatement[]> {
  // The shipment's copy and what the order now has, in one round trip (a batch is one transaction).
  const [, read] = await db.batch<{ expected: number; known: number; lowest: number | null; status: OrderStatus | null }>([
    db
      .prepare(
        `INSERT INTO order_shipments (id, order_id, merchant_id, status, rank, carrier, tracking_number, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, rank = excluded.rank,
         carrier = COALESCE(excluded.carrier, carrier), tracking_number = COALESCE(excluded.tracking_number, tracking_number),
         updated_at = excluded.updated_at
       WHERE excluded.rank > order_shipments.rank`,
      )
      .bind(s.shipmentId, s.orderId, s.merchantId, s.status, RANK[s.status], s.carrier, s.trackingNumber, Date.now()),
    db
      .prepare(
        `SELECT (SELECT COUNT(DISTINCT merchant_id) FROM order_lines WHERE order_id = ?1 AND kind = 'product') AS expected,
              (SELECT COUNT(*) FROM order_shipments WHERE order_id = ?1) AS known,
              (SELECT MIN(rank) FROM order_shipments WHERE order_id = ?1) AS lowest,
              (SELECT status FROM orders WHERE id = ?1) AS status`,
      )
      .bind(s.orderId),
  ]);
  const counts = read?.results[0];
  if (counts === undefined || counts.known === 0) return [];
  const lowest = counts.known < counts.expected ? 0 : (counts.lowest ?? 0);
  const target: OrderStatus = lowest >= RANK.delivered ? "delivered" : lowest >= RANK.shipped ? "shipped" : "fulfilling";
  const path: OrderStatus[] = ["fulfilling", "shipped", "delivered"];
  let status = counts.status;
  for (const step of path.slice(0, path.indexOf(target) + 1)) {
    if (status === null || !["paid", "fulfilling", "shipped"].includes(status) || path.indexOf(status) >= path.indexOf(step)) continue;
    const moved = await moveOrder(db, log, s.orderId, step, `shipment ${s.shipmentId} ${s.status}`);
    status = moved.ok ? step : moved.from;
  }
  return [];
}

/** Moves the order along `steps` as far as it can go (each move is a no-op if already there). */
async function walk(db: D1Database, log: Logger, orderId: string, steps: OrderStatus[], reason: string): Promise<D1PreparedStatement[]> {
  for (const step of steps) await moveOrder(db, log, orderId, step, reason);
  return [];
}

/** Each handler logs under the event's own logger (its request id), which consumeEvents hands it. */
export function fulfillmentHandlers(db: D1Database): Omit<EventHandlers<"FULFILLMENT_EVENTS">, typeof EVENT_TYPES.userErased> {
  return {
    [EVENT_TYPES.shipmentCreated]: ({ data }, log) => followShipment(db, log, data),
    [EVENT_TYPES.shipmentPacked]: ({ data }, log) => followShipment(db, log, data),
    [EVENT_TYPES.shipmentShipped]: ({ data }, log) => followShipment(db, log, data),
    [EVENT_TYPES.shipmentDelivered]: ({ data }, log) => followShipment(db, log, data),
    [EVENT_TYPES.returnRequested]: ({ data }, log) =>
      walk(db, log, data.orderId, ["return_requested"], `return ${data.returnId} requested`),
    [EVENT_TYPES.returnReceived]: ({ data }, log) => walk(db, log, data.orderId, ["returned"], `return ${data.returnId} received`),
    // A refund may overtake the receipt event: the order passes through `returned` on its way.
    [EVENT_TYPES.refundCompleted]: ({ data }, log) =>
      walk(db, log, data.orderId, ["returned", "refunded"], `return ${data.returnId} refunded`),
  };
}
