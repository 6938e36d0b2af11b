import { eq, sql } from "drizzle-orm";
import type { Producer } from "#schema/events.ts";
import { isQueue } from "#shared/queue-name.ts";
import { deadLetters } from "../../db/tables.ts";
import { adminDb } from "../db.ts";
import type { DeadLetterRow } from "./store.ts";

/** The queues a dead letter can be sent back to, by the configs' name (a deployment's `order-events-staging` is `order-events`). */
export function replayQueues(env: AdminEnv): Record<string, Producer> {
  return {
    "order-events": env.REPLAY_ORDER_EVENTS,
    "fulfillment-events": env.REPLAY_FULFILLMENT_EVENTS,
    "notification-events": env.REPLAY_NOTIFICATION_EVENTS,
    "inventory-events": env.REPLAY_INVENTORY_EVENTS,
    "identity-events": env.REPLAY_IDENTITY_EVENTS,
    "insights-events": env.REPLAY_INSIGHTS_EVENTS,
    "catalog-events": env.REPLAY_CATALOG_EVENTS,
  };
}

/**
 * Sends the event back to the queue it failed on, unchanged: its consumer dedupes by event id, so a replay of
 * something that did get done changes nothing, and one that fails again comes back as a new dead letter.
 */
export async function replay(env: AdminEnv, row: DeadLetterRow): Promise<DeadLetterRow | null> {
  const queue = Object.entries(replayQueues(env)).find(([name]) => isQueue(row.queue, name))?.[1];
  if (queue === undefined) return null;
  await queue.send(JSON.parse(row.body), { contentType: "json" });
  const now = Date.now();
  await adminDb(env.DB)
    .update(deadLetters)
    .set({ replayedAt: now, replays: sql`${deadLetters.replays} + 1` })
    .where(eq(deadLetters.id, row.id));
  return { ...row, replayedAt: now, replays: row.replays + 1 };
}
