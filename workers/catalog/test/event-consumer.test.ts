import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import { envelope } from "#schema/events.ts";
import { d1Db } from "#shared/d1.ts";
import { consumeEvents, type Dedupe, type EventHandlers } from "#shared/event-consumer.ts";
import { createLogger } from "#shared/logger.ts";

// The shared consumer on a real D1: a scratch table stands for a consumer's own state.
const consumerTest = sqliteTable("consumer_test", { userId: text("user_id").notNull(), n: integer("n").notNull() });
// Declared, never created: a write to it fails when the batch runs.
const noSuchTable = sqliteTable("no_such_table", { userId: text("user_id").notNull(), n: integer("n").notNull() });
const db = d1Db(env.DB);
beforeAll(async () => {
  await env.DB.prepare("CREATE TABLE IF NOT EXISTS consumer_test (user_id TEXT NOT NULL, n INTEGER NOT NULL)").run();
});

const erased = (userId: string, id?: string) => envelope("identity.user_erased", { userId }, "req-consumer", id);
const message = (body: unknown, i: number, attempts = 1) => ({ id: `m${i}`, timestamp: new Date(), attempts, body });
const count = async (userId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM consumer_test WHERE user_id = ?").bind(userId).first<{ n: number }>())?.n;

/** Runs the consumer over `bodies` (each delivered for the `attempts`th time) and answers what it acked, retried and dead-lettered. */
async function consume(bodies: unknown[], handlers: EventHandlers<"CATALOG_EVENTS">, dedupe: Dedupe, attempts = 1) {
  const letters: unknown[] = [];
  const batch = createMessageBatch(
    "catalog-events",
    bodies.map((b, i) => message(b, i, attempts)),
  );
  const ctx = createExecutionContext();
  await consumeEvents(batch, {
    ...dedupe,
    consumer: "test",
    queue: "CATALOG_EVENTS",
    handlers,
    deadLetters: { send: async (body: unknown) => void letters.push(body) },
    log: createLogger("test", "error"),
    maxAttempts: 3,
    retryDelaySeconds: 2,
  });
  return { result: await getQueueResult(batch, ctx), letters };
}

const counting: EventHandlers<"CATALOG_EVENTS"> = {
  "identity.user_erased": async ({ data }) => [db.insert(consumerTest).values({ userId: data.userId, n: 1 })],
};

describe("the shared event consumer", () => {
  it("with processed-events marks, applies an event once however often it comes, and acks every copy", async () => {
    const userId = `u-${crypto.randomUUID()}`;
    const event = erased(userId);
    const first = await consume([event, event], counting, { dedupe: "processed-events", db: env.DB });
    expect(first.result).toMatchObject({ explicitAcks: ["m0", "m1"], retryMessages: [] });
    await consume([event], counting, { dedupe: "processed-events", db: env.DB });
    expect(await count(userId)).toBe(1);
    const mark = await env.DB.prepare("SELECT type FROM processed_events WHERE event_id = ?").bind(event.id).first<{ type: string }>();
    expect(mark).toEqual({ type: "identity.user_erased" });
  });

  it("retries a failing event alone with back-off, then dead-letters it with the error", async () => {
    const userId = `u-${crypto.randomUUID()}`;
    const failing: EventHandlers<"CATALOG_EVENTS"> = {
      "identity.user_erased": async (e) => {
        if (e.data.userId === "boom") throw new Error("store is down");
        return counting["identity.user_erased"](e, createLogger("test", "error"));
      },
    };
    const dedupe: Dedupe = { dedupe: "processed-events", db: env.DB };
    const early = await consume([erased("boom"), erased(userId)], failing, dedupe, 2);
    expect(early.result).toMatchObject({ explicitAcks: ["m1"], retryMessages: [{ msgId: "m0" }] });
    expect(early.letters).toEqual([]);
    const last = await consume([erased("boom")], failing, dedupe, 3);
    expect(last.result).toMatchObject({ explicitAcks: ["m0"], retryMessages: [] });
    expect(last.letters).toEqual([
      expect.objectContaining({ queue: "catalog-events", consumer: "test", attempts: 3, reason: "store is down" }),
    ]);
    expect(await count(userId)).toBe(1);
  });

  it("dead-letters a body that is no event at once, and acks an event its queue's consumer has no handler for", async () => {
    const { result, letters } = await consume([{ hello: "world" }, envelope("cart.created", { cartId: "crt_1" })], counting, {
      dedupe: "processed-events",
      db: env.DB,
    });
    expect(result).toMatchObject({ explicitAcks: ["m0", "m1"], retryMessages: [] });
    expect(letters).toEqual([expect.objectContaining({ messageId: "m0", reason: expect.stringContaining("not an event envelope") })]);
  });

  it("when idempotent, commits a batch's changes together, keeps no marks, and retries them all when the commit fails", async () => {
    const userId = `u-${crypto.randomUUID()}`;
    const ok = await consume([erased(userId), erased(userId)], counting, { dedupe: "idempotent", db: env.DB });
    expect(ok.result).toMatchObject({ explicitAcks: ["m0", "m1"], retryMessages: [] });
    expect(await count(userId)).toBe(2);
    const marks = await env.DB.prepare("SELECT count(*) AS n FROM processed_events WHERE type = 'identity.user_erased' AND event_id LIKE ?")
      .bind(`%${userId}%`)
      .first<{ n: number }>();
    expect(marks?.n).toBe(0);

    const other = `u-${crypto.randomUUID()}`;
    const broken: EventHandlers<"CATALOG_EVENTS"> = {
      "identity.user_erased": async ({ data }) => [
        db.insert(data.userId === "bad" ? noSuchTable : consumerTest).values({ userId: data.userId, n: 1 }),
      ],
    };
    const failed = await consume([erased(other), erased("bad")], broken, { dedupe: "idempotent", db: env.DB });
    expect(failed.result).toMatchObject({ explicitAcks: [], retryMessages: [{ msgId: "m0" }, { msgId: "m1" }] });
    // One transaction: the good event's change did not land without the other's.
    expect(await count(other)).toBe(0);
  });
});
