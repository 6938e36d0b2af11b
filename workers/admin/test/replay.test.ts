import { describe, expect, it } from "vitest";
import { replay } from "../src/dead-letters/replay.ts";
import type { DeadLetterRow } from "../src/dead-letters/store.ts";

// The queue producers and the D1 update are recorded in memory: what is under test is where a letter goes back to.
function recordingEnv() {
  const sent: Record<string, unknown[]> = {};
  const producer = (queue: string) => ({
    send: async (body: unknown) => {
      sent[queue] = [...(sent[queue] ?? []), body];
    },
  });
  const env = {
    REPLAY_ORDER_EVENTS: producer("order-events"),
    REPLAY_FULFILLMENT_EVENTS: producer("fulfillment-events"),
    REPLAY_NOTIFICATION_EVENTS: producer("notification-events"),
    REPLAY_INVENTORY_EVENTS: producer("inventory-events"),
    REPLAY_IDENTITY_EVENTS: producer("identity-events"),
    REPLAY_INSIGHTS_EVENTS: producer("insights-events"),
    REPLAY_CATALOG_EVENTS: producer("catalog-events"),
    DB: { prepare: () => ({ bind: () => ({ run: async () => ({}) }) }) },
  };
  return { env: env as unknown as AdminEnv, sent };
}

const letter = (queue: string): DeadLetterRow => ({
  id: "dl_m1",
  queue,
  consumer: "notifications",
  messageId: "m1",
  eventId: "evt_1",
  eventType: "order.paid",
  reason: "mailbox full",
  attempts: 3,
  body: JSON.stringify({ id: "evt_1", type: "order.paid" }),
  receivedAt: 0,
  replayedAt: null,
  replays: 0,
});

describe("replaying a dead letter", () => {
  it("sends it back to its queue under a deployed environment's name too (notification-events-production)", async () => {
    for (const queue of ["notification-events", "notification-events-production"]) {
      const { env, sent } = recordingEnv();
      expect(await replay(env, letter(queue)), queue).toMatchObject({ replays: 1 });
      expect(sent).toEqual({ "notification-events": [{ id: "evt_1", type: "order.paid" }] });
    }
  });

  it("refuses a queue the platform does not replay to", async () => {
    const { env, sent } = recordingEnv();
    expect(await replay(env, letter("unknown"))).toBeNull();
    expect(await replay(env, letter("notification-eventsX"))).toBeNull();
    expect(sent).toEqual({});
  });
});
