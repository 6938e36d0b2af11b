import { DeadLetter, EventEnvelope, homeQueueOf } from "#schema/events.ts";
import { consumeMessages } from "#shared/event-consumer.ts";
import type { Logger } from "#shared/logger.ts";

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

/**
 * Keeps every dead letter of a batch (a redelivered one once: its id is the queue message's), through the same
 * consumer loop as the events (storing is idempotent, so no marks; the batch commits as one). A consumer's own
 * letter says where the event came from and why it failed; a bare body, dead-lettered by a queue whose consumer
 * kept crashing, is kept with what can be told from it, its queue the first its event type is routed to.
 */
export function storeDeadLetters(db: D1Database, batch: MessageBatch<unknown>, log: Logger): Promise<void> {
  return consumeMessages(batch, {
    consumer: "admin",
    dedupe: "idempotent",
    db,
    log,
    // Never dead-lettered again: what cannot be stored, the queue redelivers until its own max_retries.
    maxAttempts: Number.POSITIVE_INFINITY,
    retryDelaySeconds: 5,
    read: (message) => ({ ok: true, work: { mark: null, context: {}, run: async (workLog) => [storeStatement(db, message, workLog)] } }),
  });
}

function storeStatement(db: D1Database, message: Message<unknown>, log: Logger): D1PreparedStatement {
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
}
