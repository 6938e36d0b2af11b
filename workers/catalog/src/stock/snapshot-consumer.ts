import { and, eq, isNull, lt } from "drizzle-orm";
import { EVENT_TYPES, type EventEnvelope, parseEvent } from "../../../../schema/events.ts";
import type { Logger } from "../../../shared/src/logger.ts";
import { type CatalogDb, tables } from "../db.ts";

const { variants } = tables;

type DeadLetters = { send(body: unknown, options?: { contentType?: "json" }): Promise<unknown> };

/**
 * Keeps the listing's stock snapshot in step with the Inventory objects. A change applies only when its
 * seq is newer than the snapshot's, so repeats and late deliveries change nothing (idempotent, order-proof).
 * A message that is not a valid event is sent to the dead-letter queue with the reason, not retried;
 * a failure to write (D1 down) throws, so the whole batch is retried and dead-lettered by the queue itself.
 */
export async function consumeInventoryEvents(
  db: CatalogDb,
  batch: MessageBatch<unknown>,
  deadLetters: DeadLetters,
  log: Logger,
): Promise<number> {
  const latest = new Map<string, EventEnvelope<typeof EVENT_TYPES.inventoryChanged>>();
  for (const message of batch.messages) {
    const parsed = parseEvent(message.body);
    if (!parsed.ok || parsed.event.type !== EVENT_TYPES.inventoryChanged) {
      const reason = parsed.ok ? `unexpected event type ${parsed.event.type}` : parsed.reason;
      log.warn("dead-lettering a message", { queue: batch.queue, messageId: message.id, reason });
      await deadLetters.send({ queue: batch.queue, messageId: message.id, reason, body: message.body }, { contentType: "json" });
      continue;
    }
    const event = parsed.event as EventEnvelope<typeof EVENT_TYPES.inventoryChanged>;
    const seen = latest.get(event.data.sku);
    if (seen === undefined || seen.data.seq < event.data.seq) latest.set(event.data.sku, event);
  }
  const updates = [...latest.values()].map((e) =>
    db
      .update(variants)
      .set({ available: e.data.available, stockSeq: e.data.seq })
      // An archived variant's row keeps `available` at 0 (listings' in-stock filters rely on it).
      .where(and(eq(variants.sku, e.data.sku), lt(variants.stockSeq, e.data.seq), isNull(variants.archivedAt))),
  );
  const [first, ...rest] = updates;
  if (first !== undefined) await db.batch([first, ...rest]);
  batch.ackAll();
  return updates.length;
}
