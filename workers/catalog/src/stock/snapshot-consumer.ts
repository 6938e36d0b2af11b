import { and, eq, isNull, lt } from "drizzle-orm";
import { EVENT_TYPES } from "#schema/events.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import { type CatalogDb, tables } from "../db.ts";

const { variants } = tables;

/**
 * Keeps the listing's stock snapshot in step with the Inventory objects. A change applies only when its seq is
 * newer than the snapshot's, so repeats and late deliveries change nothing (idempotent, order-proof): the consumer
 * needs no processed-events marks, and a batch's changes commit in one D1 batch, applied in delivery order.
 */
export const stockSnapshotHandlers = (db: CatalogDb): EventHandlers<"INVENTORY_EVENTS"> => ({
  [EVENT_TYPES.inventoryChanged]: async ({ data }) => [
    // An archived variant's row keeps `available` at 0 (listings' in-stock filters rely on it).
    db
      .update(variants)
      .set({ available: data.available, stockSeq: data.seq })
      .where(and(eq(variants.sku, data.sku), lt(variants.stockSeq, data.seq), isNull(variants.archivedAt))),
  ],
});
