import { EVENT_TYPES } from "#schema/events.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";

/**
 * Keeps the listing's stock snapshot in step with the Inventory objects. A change applies only when its seq is
 * newer than the snapshot's, so repeats and late deliveries change nothing (idempotent, order-proof): the consumer
 * needs no processed-events marks, and a batch's changes commit in one D1 batch, applied in delivery order.
 */
export const stockSnapshotHandlers = (db: D1Database): EventHandlers<"INVENTORY_EVENTS"> => ({
  [EVENT_TYPES.inventoryChanged]: async ({ data }) => [
    // An archived variant's row keeps `available` at 0 (listings' in-stock filters rely on it).
    db
      .prepare("UPDATE variants SET available = ?, stock_seq = ? WHERE sku = ? AND stock_seq < ? AND archived_at IS NULL")
      .bind(data.available, data.seq, data.sku, data.seq),
  ],
});
