import { and, countDistinct, eq, gt, min, sql } from "drizzle-orm";
import { EVENT_TYPES, SHIPMENT_STATUSES, type ShipmentChanged } from "#schema/events.ts";
import type { OrderStatus } from "#schema/orders/dto.ts";
import type { Change } from "#shared/d1.ts";
import { excluded } from "#shared/d1.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import type { Logger } from "#shared/logger.ts";
import { orderLines, orderShipments, orders } from "../db/tables.ts";
import type { OrdersDb } from "./db.ts";
import { moveOrder } from "./order-status.ts";
import { orderDb } from "./shards.ts";

const RANK = Object.fromEntries(SHIPMENT_STATUSES.map((s, i) => [s, i])) as Record<ShipmentChanged["status"], number>;

/**
 * The order follows its shipments: fulfilling once any part has a shipment, shipped once every part with goods
 * has shipped, delivered once every one is delivered. Events may come late or twice: a shipment's copy here
 * only moves forward (by rank), and the order's status is derived from all of them, one allowed step at a time.
 */
async function followShipment(db: OrdersDb, log: Logger, s: ShipmentChanged): Promise<Change[]> {
  const ofOrder = eq(orderShipments.orderId, s.orderId);
  // The shipment's copy and what the order now has, in one round trip (a batch is one transaction).
  const [, [counts]] = await db.batch([
    db
      .insert(orderShipments)
      .values({
        id: s.shipmentId,
        orderId: s.orderId,
        merchantId: s.merchantId,
        status: s.status,
        rank: RANK[s.status],
        carrier: s.carrier,
        trackingNumber: s.trackingNumber,
        updatedAt: Date.now(),
      })
      .onConflictDoUpdate({
        target: orderShipments.id,
        set: {
          status: excluded(orderShipments.status),
          rank: excluded(orderShipments.rank),
          carrier: sql`coalesce(${excluded(orderShipments.carrier)}, ${orderShipments.carrier})`,
          trackingNumber: sql`coalesce(${excluded(orderShipments.trackingNumber)}, ${orderShipments.trackingNumber})`,
          updatedAt: excluded(orderShipments.updatedAt),
        },
        setWhere: gt(excluded(orderShipments.rank), orderShipments.rank),
      }),
    db
      .select({
        expected: sql<number>`${db
          .select({ n: countDistinct(orderLines.merchantId) })
          .from(orderLines)
          .where(and(eq(orderLines.orderId, s.orderId), eq(orderLines.kind, "product")))}`,
        known: db.$count(orderShipments, ofOrder),
        lowest: sql<number | null>`${db
          .select({ n: min(orderShipments.rank) })
          .from(orderShipments)
          .where(ofOrder)}`,
        status: orders.status,
      })
      .from(orders)
      .where(eq(orders.id, s.orderId)),
  ]);
  if (counts === undefined || counts.known === 0) return [];
  const lowest = counts.known < counts.expected ? 0 : (counts.lowest ?? 0);
  const target: OrderStatus = lowest >= RANK.delivered ? "delivered" : lowest >= RANK.shipped ? "shipped" : "fulfilling";
  const path: OrderStatus[] = ["fulfilling", "shipped", "delivered"];
  let status: OrderStatus | null = counts.status;
  for (const step of path.slice(0, path.indexOf(target) + 1)) {
    if (status === null || !["paid", "fulfilling", "shipped"].includes(status) || path.indexOf(status) >= path.indexOf(step)) continue;
    const moved = await moveOrder(db, log, s.orderId, step, `shipment ${s.shipmentId} ${s.status}`);
    status = moved.ok ? step : moved.from;
  }
  return [];
}

/** Moves the order along `steps` as far as it can go (each move is a no-op if already there). */
async function walk(db: OrdersDb, log: Logger, orderId: string, steps: OrderStatus[], reason: string): Promise<Change[]> {
  for (const step of steps) await moveOrder(db, log, orderId, step, reason);
  return [];
}

/** Each handler logs under the event's own logger (its request id), which consumeEvents hands it; it works on the order's shard. */
export function fulfillmentHandlers(env: Pick<OrdersEnv, "DB">): Omit<EventHandlers<"FULFILLMENT_EVENTS">, typeof EVENT_TYPES.userErased> {
  const onOrder =
    <D extends { orderId: string }>(work: (db: OrdersDb, log: Logger, data: D) => Promise<Change[]>) =>
    async ({ data }: { data: D }, log: Logger): Promise<Change[]> => {
      const db = orderDb(env, data.orderId);
      if (db !== null) return work(db, log, data);
      log.warn("event for an order id that names no shard", { orderId: data.orderId });
      return [];
    };
  const follow = onOrder<ShipmentChanged>(followShipment);
  return {
    [EVENT_TYPES.shipmentCreated]: follow,
    [EVENT_TYPES.shipmentPacked]: follow,
    [EVENT_TYPES.shipmentShipped]: follow,
    [EVENT_TYPES.shipmentDelivered]: follow,
    [EVENT_TYPES.returnRequested]: onOrder((db, log, data) =>
      walk(db, log, data.orderId, ["return_requested"], `return ${data.returnId} requested`),
    ),
    [EVENT_TYPES.returnReceived]: onOrder((db, log, data) => walk(db, log, data.orderId, ["returned"], `return ${data.returnId} received`)),
    // A refund may overtake the receipt event: the order passes through `returned` on its way.
    [EVENT_TYPES.refundCompleted]: onOrder((db, log, data) =>
      walk(db, log, data.orderId, ["returned", "refunded"], `return ${data.returnId} refunded`),
    ),
  };
}
