import { z } from "zod";
import { type DeadLetter, type EventEnvelope, type EventType, parseEvent, requestIdOf } from "../../../schema/events.ts";
import { configFrom } from "./config.ts";
import { errorFields, type Logger } from "./logger.ts";
import type { Producer } from "./outbox.ts";

/**
 * What a consumer does with one event. It may act on other services first (every such call idempotent by a
 * key derived from the event), then returns the D1 statements of its own change: they run in one batch with
 * the row that marks the event processed, so the change and the mark land together or not at all.
 */
export type EventHandler = (event: EventEnvelope, log: Logger) => Promise<D1PreparedStatement[]>;
export type EventHandlers = Partial<Record<EventType, EventHandler>>;

export type ConsumerOptions = {
  /** Who consumes (recorded with a dead letter). */
  consumer: string;
  /** The consumer's own database, with a `processed_events(event_id, type, processed_at)` table. */
  db: D1Database;
  handlers: EventHandlers;
  deadLetters: Producer;
  log: Logger;
  /** Deliveries of one message before it is dead-lettered with its last error. */
  maxAttempts: number;
  /** Delay before the first redelivery; doubled on each further one (capped at 5 minutes). */
  retryDelaySeconds: number;
};

const isDuplicateMark = (err: unknown): boolean => String(err).includes("processed_events.event_id");

/**
 * Consumes a batch effectively once per event: an event already marked processed is acknowledged and nothing
 * else happens; a handled event's change commits with its mark; an event no handler wants is acknowledged.
 * A failure retries that message alone, with back-off, and after `maxAttempts` sends it to the dead-letter
 * queue with the error (the admin lists and replays it). A body that is not a known event cannot get better by
 * retrying: it is dead-lettered at once.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, options: ConsumerOptions): Promise<void> {
  const { db, handlers, log } = options;
  for (const message of batch.messages) {
    const parsed = parseEvent(message.body);
    if (!parsed.ok) {
      await deadLetter(options, batch.queue, message, parsed.reason);
      continue;
    }
    const event = parsed.event;
    const handler = handlers[event.type];
    if (handler === undefined) {
      message.ack();
      continue;
    }
    // Every line about this event, and every call its handler makes, carries the request that caused it.
    const eventLog = log.with({ requestId: requestIdOf(event), eventId: event.id, type: event.type });
    const started = Date.now();
    try {
      const seen = await db.prepare("SELECT 1 FROM processed_events WHERE event_id = ?").bind(event.id).first();
      if (seen === null) {
        const effects = await handler(event, eventLog);
        await db.batch([
          db.prepare("INSERT INTO processed_events (event_id, type, processed_at) VALUES (?, ?, ?)").bind(event.id, event.type, Date.now()),
          ...effects,
        ]);
      }
      if (eventLog.enabled("debug"))
        eventLog.debug("event", { duplicate: seen !== null, attempt: message.attempts, ms: Date.now() - started });
      message.ack();
    } catch (err) {
      // A concurrent delivery of the same event committed first: this one's work is already done.
      if (isDuplicateMark(err)) {
        message.ack();
        continue;
      }
      const reason = err instanceof Error ? err.message : String(err);
      if (message.attempts >= options.maxAttempts) {
        await deadLetter({ ...options, log: eventLog }, batch.queue, message, reason);
        continue;
      }
      eventLog.warn("event handling failed; retrying", { attempt: message.attempts, ...errorFields(err) });
      message.retry({ delaySeconds: Math.min(300, options.retryDelaySeconds * 2 ** (message.attempts - 1)) });
    }
  }
}

async function deadLetter(options: ConsumerOptions, queue: string, message: Message<unknown>, reason: string): Promise<void> {
  const letter: DeadLetter = {
    queue,
    messageId: message.id,
    reason,
    attempts: message.attempts,
    consumer: options.consumer,
    body: message.body,
  };
  options.log.warn("dead-lettering a message", { queue, messageId: message.id, attempts: message.attempts, reason });
  try {
    await options.deadLetters.send(letter, { contentType: "json" });
    message.ack();
  } catch (err) {
    // Not even the dead-letter queue took it: let the queue redeliver (and, in the end, dead-letter it itself).
    options.log.error("could not dead-letter a message", { queue, messageId: message.id, ...errorFields(err) });
    message.retry();
  }
}

/** A consumer's retry settings, from its vars EVENT_MAX_ATTEMPTS and EVENT_RETRY_DELAY_SECONDS. */
export const retryPolicy: (env: object) => { maxAttempts: number; retryDelaySeconds: number } = configFrom(
  z
    .object({
      EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1, "EVENT_MAX_ATTEMPTS must be at least 1"),
      EVENT_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0, "EVENT_RETRY_DELAY_SECONDS must be 0 or more"),
    })
    .transform((v) => ({ maxAttempts: v.EVENT_MAX_ATTEMPTS, retryDelaySeconds: v.EVENT_RETRY_DELAY_SECONDS })),
);
