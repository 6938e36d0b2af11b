import { z } from "zod";
import {
  type AnyEvent,
  type DeadLetter,
  type EventEnvelope,
  type EventQueue,
  type EventsTo,
  type EventType,
  parseEvent,
  requestIdOf,
} from "#schema/events.ts";
import { configFrom } from "./config.ts";
import { type Change, commit, type D1Db, d1Db } from "./d1.ts";
import { processedEventsTable } from "./event-tables.ts";
import { errorFields, type Logger } from "./logger.ts";
import type { Producer } from "./outbox.ts";

/**
 * What a consumer does with one event of type `T`, its data already checked by that type's schema. It may act on
 * other services first (every such call idempotent by a key derived from the event), then returns its own change
 * as drizzle writes (`Change`s, not yet run), which commit as the consumer's `dedupe` says.
 */
export type EventHandler<T extends EventType> = (event: EventEnvelope<T>, log: Logger) => Promise<Change[]>;

/** A queue's consumer: one handler for each event type EVENT_ROUTES sends to queue `Q`, no more and no fewer. */
export type EventHandlers<Q extends EventQueue> = { [T in EventsTo<Q>]: EventHandler<T> };

/**
 * How a consumer makes repeated deliveries harmless:
 * - `processed-events`: each event's change commits in one batch with a row in `db`'s
 *   `processed_events(event_id, type, processed_at)`, keyed by the event's id: a repeat's batch fails on that key
 *   and commits nothing, and the repeat is acknowledged. There is no read first (it would cost every event a D1
 *   round trip to spare the rare repeat its handler run), so what a handler does before it returns its changes
 *   must be safe to repeat, as it already must be for two deliveries that arrive at once.
 * - `idempotent`: the handlers are safe to repeat by themselves (a conditional update, a delete); the changes of
 *   the whole batch commit in one D1 batch, with no marks.
 */
export type Dedupe =
  | {
      dedupe: "processed-events";
      db: D1Database;
      /** A sharded consumer's database for one event (its mark and changes commit there); `db` when absent. */
      dbFor?: (event: AnyEvent) => D1Database;
    }
  | { dedupe: "idempotent"; db?: D1Database };

export type RetryOptions = {
  /** Who consumes (logged, and recorded with a dead letter). */
  consumer: string;
  log: Logger;
  /** Deliveries of one message before it is dead-lettered with its last error. */
  maxAttempts: number;
  /** Delay before the first redelivery; doubled on each further one (capped at 5 minutes). */
  retryDelaySeconds: number;
};

export type ConsumerOptions<Q extends EventQueue> = RetryOptions &
  Dedupe & {
    /** The queue consumed: its handlers are typed by what EVENT_ROUTES sends there. */
    queue: Q;
    handlers: EventHandlers<Q>;
    deadLetters: Producer;
  };

/**
 * Consumes a batch of events effectively once each: a handled event's change commits with its dedupe, an event no
 * handler wants (routed before this release, or replayed to the wrong queue) is acknowledged. A failure retries
 * that message alone, with back-off, and after `maxAttempts` sends it to the dead-letter queue with the error (the
 * admin lists and replays it). A body that is not a known event cannot get better by retrying: it is dead-lettered
 * at once.
 */
export function consumeEvents<Q extends EventQueue>(batch: MessageBatch<unknown>, options: ConsumerOptions<Q>): Promise<void> {
  // parseEvent checked `data` with the schema of `event.type`, and `handlers[event.type]` takes exactly that type;
  // TypeScript cannot relate the two lookups, so the handlers are seen here as taking any event.
  const handlers = options.handlers as Partial<Record<EventType, (event: AnyEvent, log: Logger) => Promise<Change[]>>>;
  return consumeMessages(batch, {
    ...options,
    read: (message) => {
      const parsed = parseEvent(message.body);
      if (!parsed.ok) return parsed;
      const { event } = parsed;
      const handler = handlers[event.type];
      if (handler === undefined) return { ok: true, work: null };
      return {
        ok: true,
        // Every line about this event, and every call its handler makes, carries the request that caused it.
        work: {
          mark: { id: event.id, type: event.type },
          ...(options.dedupe === "processed-events" && options.dbFor !== undefined ? { db: options.dbFor(event) } : {}),
          context: { requestId: requestIdOf(event), eventId: event.id, type: event.type },
          run: (log) => handler(event, log),
        },
      };
    },
  });
}

/** One message's work: its change as writes to commit; `mark` is the processed-events row when the consumer keeps them. */
export type Work = {
  mark: { id: string; type: string } | null;
  /** Where this message's mark and changes commit, when not the consumer's own `db`. */
  db?: D1Database;
  context: Record<string, string>;
  run: (log: Logger) => Promise<Change[]>;
};
export type Reading = { ok: true; work: Work | null } | { ok: false; reason: string };

export type MessagesOptions = RetryOptions &
  Dedupe & {
    /** What a body asks for; `null` work is acknowledged; a body that cannot be read is dead-lettered at once. */
    read: (message: Message<unknown>) => Reading;
    /** Absent for the dead-letter store itself: what it cannot keep, the queue redelivers (and drops in the end). */
    deadLetters?: Producer;
  };

/** The loop every queue consumer runs (events, and the dead-letter store): read, work, commit, ack or retry. */
export async function consumeMessages(batch: MessageBatch<unknown>, options: MessagesOptions): Promise<void> {
  const { log } = options;
  const db = options.db === undefined ? undefined : d1Db(options.db);
  // `idempotent` consumers commit the batch's changes together, and acknowledge what they cover after.
  const pending: { message: Message<unknown>; log: Logger; effects: Change[] }[] = [];
  for (const message of batch.messages) {
    const reading = options.read(message);
    if (!reading.ok) {
      await deadLetter(options, batch.queue, message, reading.reason);
      continue;
    }
    if (reading.work === null) {
      message.ack();
      continue;
    }
    const work = reading.work;
    const workLog = log.with(work.context);
    const started = Date.now();
    try {
      // (`processed-events` always comes with its database; the check only tells TypeScript.)
      const into = work.db === undefined ? db : d1Db(work.db);
      if (options.dedupe === "processed-events" && work.mark !== null && into !== undefined) {
        await commit(into, [markWrite(into, work.mark), ...(await work.run(workLog))]);
      } else {
        const effects = await work.run(workLog);
        if (effects.length > 0) {
          pending.push({ message, log: workLog, effects });
          continue;
        }
      }
      if (workLog.enabled("debug")) workLog.debug("event", { duplicate: false, attempt: message.attempts, ms: Date.now() - started });
      message.ack();
    } catch (err) {
      if (isDuplicateMark(err)) {
        // An earlier delivery of the same event committed its mark: this one's work is already done.
        if (workLog.enabled("debug")) workLog.debug("event", { duplicate: true, attempt: message.attempts, ms: Date.now() - started });
        message.ack();
      } else await retryOrGiveUp({ ...options, log: workLog }, batch.queue, message, err);
    }
  }
  if (pending.length === 0) return;
  try {
    if (db === undefined) throw new Error(`${options.consumer} returned writes but has no database`);
    await commit(
      db,
      pending.flatMap((p) => p.effects),
    );
    for (const p of pending) p.message.ack();
  } catch (err) {
    for (const p of pending) await retryOrGiveUp({ ...options, log: p.log }, batch.queue, p.message, err);
  }
}

const processedEvents = processedEventsTable();
const markWrite = (db: D1Db, mark: { id: string; type: string }): Change =>
  db.insert(processedEvents).values({ eventId: mark.id, type: mark.type, processedAt: Date.now() });
const isDuplicateMark = (err: unknown): boolean => String(err).includes("processed_events.event_id");

async function retryOrGiveUp(options: MessagesOptions, queue: string, message: Message<unknown>, err: unknown): Promise<void> {
  const reason = err instanceof Error ? err.message : String(err);
  if (message.attempts >= options.maxAttempts && options.deadLetters !== undefined) {
    await deadLetter(options, queue, message, reason);
    return;
  }
  options.log.warn("event handling failed; retrying", { attempt: message.attempts, ...errorFields(err) });
  message.retry({ delaySeconds: Math.min(300, options.retryDelaySeconds * 2 ** (message.attempts - 1)) });
}

async function deadLetter(options: MessagesOptions, queue: string, message: Message<unknown>, reason: string): Promise<void> {
  options.log.warn("dead-lettering a message", { queue, messageId: message.id, attempts: message.attempts, reason });
  if (options.deadLetters === undefined) {
    message.retry();
    return;
  }
  const letter: DeadLetter = {
    queue,
    messageId: message.id,
    reason,
    attempts: message.attempts,
    consumer: options.consumer,
    body: message.body,
  };
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
