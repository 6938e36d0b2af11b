import { DeadLetter, EVENT_TYPES, EventEnvelope } from "../../../../schema/events.ts";
import type { Logger } from "../../../shared/src/logger.ts";

export type DeadLetterRow = {
  id: string;
  queue: string;
  consumer: string | null;
  message_id: string;
  event_id: string | null;
  event_type: string | null;
  reason: string;
  attempts: number | null;
  body: string;
  received_at: number;
  replayed_at: number | null;
  replays: number;
};

// Where a bare body (dead-lettered by a queue itself, without our wrapper) most likely came from.
const HOME_QUEUE: Record<string, string> = {
  [EVENT_TYPES.inventoryChanged]: "inventory-events",
  [EVENT_TYPES.userErased]: "identity-events",
};
const homeQueueOf = (type: string | undefined): string =>
  type === undefined ? "unknown" : (HOME_QUEUE[type] ?? (type.startsWith("order.") ? "order-events" : "fulfillment-events"));

/**
 * Keeps every dead letter of a batch (a redelivered one once: its id is the queue message's). A consumer's own
 * letter says where the event came from and why it failed; a bare body, dead-lettered by a queue whose consumer
 * kept crashing, is kept with what can be told from it.
 */
export async function storeDeadLetters(db: D1Database, batch: MessageBatch<unknown>, log: Logger): Promise<void> {
  const statements = batch.messages.map((message) => {
    const wrapped = DeadLetter.safeParse(message.body);
    const letter: DeadLetter = wrapped.success
      ? wrapped.data
      : {
          queue: "",
          messageId: message.id,
          reason: "the queue gave up after its retries (the consumer never answered)",
          body: message.body,
        };
    const event = EventEnvelope.safeParse(letter.body);
    const queue = letter.queue !== "" ? letter.queue : homeQueueOf(event.success ? event.data.type : undefined);
    const requestId = event.success ? event.data.requestId : undefined;
    log.warn("dead letter received", { queue, consumer: letter.consumer, reason: letter.reason, ...(requestId ? { requestId } : {}) });
    return db
      .prepare(
        `INSERT OR IGNORE INTO dead_letters (id, queue, consumer, message_id, event_id, event_type, reason, attempts, body, received_at, replays)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      )
      .bind(
        `dl_${message.id}`,
        queue,
        letter.consumer ?? null,
        letter.messageId,
        event.success ? event.data.id : null,
        event.success ? event.data.type : null,
        letter.reason,
        letter.attempts ?? null,
        JSON.stringify(letter.body ?? null),
        Date.now(),
      );
  });
  if (statements.length > 0) await db.batch(statements);
  batch.ackAll();
}
