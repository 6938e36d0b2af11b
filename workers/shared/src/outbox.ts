import { z } from "zod";
import { type EventData, type EventEnvelope, type EventType, envelope } from "../../../schema/events.ts";
import { configFrom } from "./config.ts";

/**
 * The outbox pattern on a service's own D1 database: an event is written as a row (`outbox(id, body,
 * created_at)`) in the same batch as the state change it announces, and sent afterwards. A crash or a
 * failed send between "saved" and "sent" leaves the row, and the next flush sends it; so an event is
 * never lost, and may (rarely) go twice: consumers dedupe by its id.
 */
export type OutboxRow = { id: string; body: string; createdAt: number };

/** `requestId`: the request that caused the event; it travels in the row's body (old rows without one still send). */
export function outboxRow<T extends EventType>(type: T, data: EventData<T>, requestId?: string, id?: string): OutboxRow {
  const event: EventEnvelope<T> = envelope(type, data, requestId, id);
  return { id: event.id, body: JSON.stringify(event), createdAt: Date.now() };
}

export type { Producer } from "../../../schema/events.ts";

import type { Producer } from "../../../schema/events.ts";

/** EVENT_COPIES from a producer's vars: how many times each event is sent (1; tests send more to see dedupe). */
export const eventCopies: (env: object) => number = configFrom(
  z.object({ EVENT_COPIES: z.coerce.number().int().min(1, "EVENT_COPIES must be at least 1") }).transform((v) => v.EVENT_COPIES),
);

/**
 * Sends what the outbox holds, oldest first, and deletes what went (in one statement, also when a send fails
 * part way). Answers how many went. `rows` sends rows the caller has just written (one order's events), without
 * reading them back, so concurrent writers do not all send everyone's rows; the flush without them (cron) sends
 * whatever is left.
 */
export type FlushOptions = {
  limit?: number;
  rows?: readonly OutboxRow[];
  /** Sends each event this many times: at-least-once delivery, exaggerated, so tests see consumers dedupe. */
  copies?: number;
};

export async function flushOutbox(db: D1Database, queues: Producer | readonly Producer[], options: FlushOptions = {}): Promise<number> {
  const { limit = 100, copies = 1 } = options;
  const targets = Array.isArray(queues) ? queues : [queues as Producer];
  const rows = options.rows ?? (await pendingRows(db, limit));
  const sent: string[] = [];
  try {
    for (const row of rows) {
      const event: unknown = JSON.parse(row.body);
      for (let copy = 0; copy < copies; copy++) {
        await Promise.all(targets.map((queue) => queue.send(event, { contentType: "json" })));
      }
      sent.push(row.id);
    }
  } finally {
    if (sent.length > 0) {
      await db
        .prepare(`DELETE FROM outbox WHERE id IN (${sent.map(() => "?").join(", ")})`)
        .bind(...sent)
        .run();
    }
  }
  return sent.length;
}

async function pendingRows(db: D1Database, limit: number): Promise<{ id: string; body: string }[]> {
  const { results } = await db
    .prepare("SELECT id, body FROM outbox ORDER BY created_at, id LIMIT ?")
    .bind(limit)
    .all<{ id: string; body: string }>();
  return results;
}
