import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { expect, it } from "vitest";
import { EVENT_QUEUES, type EventQueue, type Producer, parseEvent } from "#schema/events.ts";
import { d1Outbox, flushOutbox } from "#shared/outbox.ts";
import * as tables from "../db/tables.ts";
import { erase, register } from "../src/accounts.ts";
import { identityConfig } from "../src/config.ts";

const db = drizzle(env.DB, { schema: tables });

// Each queue the event is routed to, recorded by name (a stand-in for every binding).
function recordingQueues(sent: { queue: string; body: unknown }[]): Record<EventQueue, Producer> {
  const names = Object.keys(EVENT_QUEUES) as EventQueue[];
  return Object.fromEntries(names.map((queue) => [queue, { send: async (body: unknown) => void sent.push({ queue, body }) }])) as Record<
    EventQueue,
    Producer
  >;
}
const outbox = d1Outbox(env.DB);

it("erasing removes the personal data, keeps an anonymous tombstone and announces identity.user_erased", async () => {
  const made = await register(db, identityConfig(env), {
    email: `erase-${crypto.randomUUID()}@example.com`,
    password: "correct horse battery",
    name: "Eve",
  });
  if (!made.ok) throw new Error(JSON.stringify(made.problem));
  const sent: { queue: string; body: unknown }[] = [];
  const flush = () => flushOutbox(outbox, recordingQueues(sent));

  expect(await erase(db, made.value.user.id, flush)).toEqual({ ok: true, value: null });
  const [row] = await db.select().from(tables.users).where(eq(tables.users.id, made.value.user.id));
  expect(row).toMatchObject({ name: null, passwordHash: "!", email: `erased-${made.value.user.id}@invalid` });
  expect(row?.erasedAt).toEqual(expect.any(Number));
  const sessions = await db.select().from(tables.refreshTokens).where(eq(tables.refreshTokens.userId, made.value.user.id));
  expect(sessions.every((s) => s.status === "revoked")).toBe(true);

  // The event goes to every queue whose consumer keeps something of a person (not insights, nor inventory's).
  expect(sent.map((s) => s.queue).sort()).toEqual([
    "CATALOG_EVENTS",
    "FULFILLMENT_EVENTS",
    "IDENTITY_EVENTS",
    "NOTIFICATION_EVENTS",
    "ORDER_EVENTS",
  ]);
  const event = parseEvent(sent[0]?.body);
  expect(event).toMatchObject({ ok: true, event: { type: "identity.user_erased", version: 1, data: { userId: made.value.user.id } } });
  // Erasing twice is a 401 (the account is gone), not a second event.
  expect(await erase(db, made.value.user.id, flush)).toMatchObject({ ok: false, problem: { status: 401 } });
  expect(sent).toHaveLength(5);
  expect(await db.select().from(tables.outbox)).toEqual([]);
});

it("an event whose send fails after the erasure is kept in the outbox and sent by the next flush", async () => {
  const made = await register(db, identityConfig(env), {
    email: `erase-${crypto.randomUUID()}@example.com`,
    password: "correct horse battery",
    name: "Mallory",
  });
  if (!made.ok) throw new Error(JSON.stringify(made.problem));
  const down: Producer = {
    send: async () => {
      throw new Error("queue unavailable");
    },
  };
  // The erasure is durable even though the send failed: the account is gone, the event waits.
  await expect(erase(db, made.value.user.id, () => flushOutbox(outbox, { ...recordingQueues([]), CATALOG_EVENTS: down }))).rejects.toThrow(
    "queue unavailable",
  );
  const [row] = await db.select().from(tables.users).where(eq(tables.users.id, made.value.user.id));
  expect(row?.erasedAt).toEqual(expect.any(Number));
  expect(await db.select().from(tables.outbox)).toHaveLength(1);

  const sent: { queue: string; body: unknown }[] = [];
  expect(await flushOutbox(outbox, recordingQueues(sent))).toBe(1);
  expect(sent).toHaveLength(5);
  expect(parseEvent(sent[0]?.body)).toMatchObject({
    ok: true,
    event: { type: "identity.user_erased", data: { userId: made.value.user.id } },
  });
  expect(await db.select().from(tables.outbox)).toEqual([]);
});
