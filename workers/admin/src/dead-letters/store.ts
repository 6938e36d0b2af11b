import { DeadLetter, EventEnvelope, homeQueueOf } from "#schema/events.ts";
import type { Change } from "#shared/d1.ts";
import { consumeMessages } from "#shared/event-consumer.ts";
import type { Logger } from "#shared/logger.ts";
import { deadLetters } from "../../db/tables.ts";
import { type AdminDb, adminDb } from "../db.ts";

export type DeadLetterRow = typeof deadLetters.$inferSelect;

/**
 * Keeps every dead letter of a batch (a redelivered one once: its id is the queue message's), through the same
 * consumer loop as the events (storing is idempotent, so no marks; the batch commits as one). A consumer's own
 * letter says where the event came from and why it failed; a bare body, dead-lettered by a queue whose consumer
 * kept crashing, is kept with what can be told from it, its queue the first its event type is routed to.
 */
export function storeDeadLetters(d1: D1Database, batch: MessageBatch<unknown>, log: Logger): Promise<void> {
  const db = adminDb(d1);
  return consumeMessages(batch, {
    consumer: "admin",
    dedupe: "idempotent",
    db: d1,
    log,
    // Never dead-lettered again: what cannot be stored, the queue redelivers until its own max_retries.
    maxAttempts: Number.POSITIVE_INFINITY,
    retryDelaySeconds: 5,
    read: (message) => ({ ok: true, work: { mark: null, context: {}, run: async (workLog) => [storeWrite(db, message, workLog)] } }),
  });
}

function storeWrite(db: AdminDb, message: Message<unknown>, log: Logger): Change {
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
  const queue = letter.queue !== "" ? letter.queue : ((event.success ? homeQueueOf(event.data.type) : undefined) ?? "unknown");
  const requestId = event.success ? event.data.requestId : undefined;
  log.warn("dead letter received", { queue, consumer: letter.consumer, reason: letter.reason, ...(requestId ? { requestId } : {}) });
  return db
    .insert(deadLetters)
    .values({
      id: `dl_${message.id}`,
      queue,
      consumer: letter.consumer ?? null,
      messageId: letter.messageId,
      eventId: event.success ? event.data.id : null,
      eventType: event.success ? event.data.type : null,
      reason: letter.reason,
      attempts: letter.attempts ?? null,
      body: JSON.stringify(letter.body ?? null),
      receivedAt: Date.now(),
      replays: 0,
    })
    .onConflictDoNothing();
}
