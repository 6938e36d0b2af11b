import { runDurableObjectAlarm } from "cloudflare:test";
import { expect } from "vitest";

/** Stands in for an object's queue producer: refuses while `down`, records the bodies it takes. */
export function refusingQueue() {
  const queue = {
    down: true,
    sent: [] as unknown[],
    send: async (body: unknown) => {
      if (queue.down) throw new Error("queue unavailable");
      queue.sent.push(body);
    },
  };
  return queue;
}
export type RefusingQueue = ReturnType<typeof refusingQueue>;

/** Swaps one of the object's queue bindings for `queue` (the object keeps it while it lives). */
export function useQueue(object: object, binding: "INSIGHTS_EVENTS" | "INVENTORY_EVENTS", queue: RefusingQueue): void {
  const own = object as { env?: DurableObjectsEnv };
  if (own.env === undefined) throw new Error("not a Durable Object");
  own.env = { ...own.env, [binding]: queue as unknown as Queue };
}

/**
 * After a refused send: the alarm is due within a minute for it and nothing went; then the queue takes messages
 * again and the alarm runs.
 */
export async function resendByAlarm(stub: DurableObjectStub, alarmAt: number | null, queue: RefusingQueue): Promise<void> {
  expect(alarmAt).not.toBeNull();
  expect((alarmAt ?? 0) - Date.now()).toBeLessThanOrEqual(60_000);
  expect(queue.sent).toEqual([]);
  queue.down = false;
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}
