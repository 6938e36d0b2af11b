import { asc } from "drizzle-orm";
import { z } from "zod";
import { type EventData, type EventEnvelope, type EventQueue, type EventType, envelope, type Producer, routesOf } from "#schema/events.ts";
import { configFrom } from "./config.ts";
import { d1Db, inList } from "./d1.ts";
import { outboxTable } from "./event-tables.ts";

export type { Producer } from "#schema/events.ts";

/**
 * The outbox pattern, one shape for a Worker's D1 database and a Durable Object's own storage: an event is
 * written as a row (`outbox(id, body)`) in the same transaction as the state change it announces, and sent
 * afterwards. A crash or a failed send between "saved" and "sent" leaves the row, and the next flush (a cron, an
 * alarm) sends it; so an event is never lost, and may (rarely) go twice: consumers dedupe by its id.
 */
export type OutboxRow = { id: string; body: string; createdAt: number };

/** `requestId`: the request that caused the event; it travels in the row's body (old rows without one still send). */
export function outboxRow<T extends EventType>(type: T, data: EventData<T>, requestId?: string, id?: string): OutboxRow {
  const event: EventEnvelope<T> = envelope(type, data, requestId, id);
  return { id: event.id, body: JSON.stringify(event), createdAt: Date.now() };
}

/** Where rows wait: read oldest first, deleted once sent. */
export type Outbox = {
  pending(limit: number): Promise<readonly Pick<OutboxRow, "id" | "body">[]>;
  remove(ids: readonly string[]): Promise<void>;
};

const outbox = outboxTable();

/** The outbox table of a Worker's D1 database (`outbox(id, body, created_at)`). */
export const d1Outbox = (d1: D1Database): Outbox => {
  const db = d1Db(d1);
  return {
    pending: (limit) =>
      db.select({ id: outbox.id, body: outbox.body }).from(outbox).orderBy(asc(outbox.createdAt), asc(outbox.id)).limit(limit),
    remove: async (ids) => {
      if (ids.length > 0) await db.delete(outbox).where(inList(outbox.id, ids));
    },
  };
};

/** A Durable Object's storage as `objectOutbox` needs it (its SqlStorage). */
export type OutboxSql = {
  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: (string | number | null)[]): { toArray(): T[] };
};

/** An object's event the queue refused is tried again by its alarm this much later. */
export const OBJECT_OUTBOX_RETRY_MS = 30_000;

/**
 * The outbox table in a Durable Object's SQLite storage (`outbox(id TEXT PRIMARY KEY, body TEXT)`, in insertion
 * order). `add` runs inside the object's own write, so the row commits with the change it announces.
 */
export const objectOutbox = (sql: OutboxSql) => {
  const size = (): number => sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").toArray()[0]?.n ?? 0;
  return {
    add(row: Pick<OutboxRow, "id" | "body">, options: { replacing?: boolean } = {}): void {
      // `replacing`: a newer figure makes the unsent ones before it worthless (a stock level, not a history).
      if (options.replacing) sql.exec("DELETE FROM outbox");
      sql.exec("INSERT OR IGNORE INTO outbox (id, body) VALUES (?, ?)", row.id, row.body);
    },
    size,
    /** When the object's alarm should try again: soon while a row waits, else `null` (nothing to send). */
    retryAt(): number | null {
      return size() > 0 ? Date.now() + OBJECT_OUTBOX_RETRY_MS : null;
    },
    pending: async (limit: number) =>
      sql.exec<{ id: string; body: string }>("SELECT id, body FROM outbox ORDER BY rowid LIMIT ?", limit).toArray(),
    remove: async (ids: readonly string[]) => {
      for (const id of ids) sql.exec("DELETE FROM outbox WHERE id = ?", id);
    },
  };
};

/** EVENT_COPIES from a producer's vars: how many times each event is sent (1; tests send more to see dedupe). */
export const eventCopies: (env: object) => number = configFrom(
  z.object({ EVENT_COPIES: z.coerce.number().int().min(1, "EVENT_COPIES must be at least 1") }).transform((v) => v.EVENT_COPIES),
);

export type FlushOptions = {
  limit?: number;
  /** Rows the caller has just written (one order's events): sent without reading them back, so concurrent writers
   * do not all send everyone's rows; the flush without them (cron, alarm) sends whatever is left. */
  rows?: readonly Pick<OutboxRow, "id" | "body">[];
  /** Sends each event this many times: at-least-once delivery, exaggerated, so tests see consumers dedupe. */
  copies?: number;
};

/** The queue producers a Worker holds, by binding name (its env). */
export type QueueBindings = Partial<Record<EventQueue, Producer>>;

/**
 * Sends what the outbox holds, oldest first, each event to the queues EVENT_ROUTES names for its type, and deletes
 * what went (also when a send fails part way). Answers how many rows went. A Worker without the binding for a route
 * cannot send that row: it stays, and the error says which binding to add.
 */
const SentEvent = z.looseObject({ type: z.string() });

export async function flushOutbox(outbox: Outbox, queues: QueueBindings, options: FlushOptions = {}): Promise<number> {
  const { limit = 100, copies = 1 } = options;
  const rows = options.rows ?? (await outbox.pending(limit));
  const sent: string[] = [];
  try {
    for (const row of rows) {
      const event = SentEvent.parse(JSON.parse(row.body));
      const routes = routesOf(event.type);
      // A type this release does not know (written by a later one, before a rollback) waits for a release that does.
      if (routes === undefined) continue;
      const targets = routes.map((name) => {
        const queue = queues[name];
        if (queue === undefined) throw new Error(`no queue binding ${name} for ${event.type} events`);
        return queue;
      });
      for (let copy = 0; copy < copies; copy++) {
        await Promise.all(targets.map((queue) => queue.send(event, { contentType: "json" })));
      }
      sent.push(row.id);
    }
  } finally {
    await outbox.remove(sent);
  }
  return sent.length;
}
