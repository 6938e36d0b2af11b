import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Cart } from "../src/cart/cart.ts";

type Sent = { body: unknown };
/** Stands in for the cart's queue producer: refuses while `down`, records what it takes. */
function fakeQueue() {
  const queue = {
    down: true,
    sent: [] as Sent[],
    send: async (body: unknown) => {
      if (queue.down) throw new Error("queue unavailable");
      queue.sent.push({ body });
    },
  };
  return queue;
}

/** The object's env with its INSIGHTS_EVENTS producer swapped for a fake (the object keeps it while it lives). */
const useQueue = (cart: Cart, queue: ReturnType<typeof fakeQueue>): void => {
  const own = cart as unknown as { env: DurableObjectsEnv };
  own.env = { ...own.env, INSIGHTS_EVENTS: queue as unknown as Queue };
};

const outbox = (state: DurableObjectState): string[] =>
  state.storage.sql
    .exec<{ id: string }>("SELECT id FROM outbox")
    .toArray()
    .map((r) => r.id);

describe("cart.created leaves through the cart's outbox", () => {
  it("is kept when the queue refuses it, sent by the alarm that comes early for it, and sent once", async () => {
    const id = "crt_outboxtest00000001";
    const stub = env.CART.getByName(id);
    const queue = fakeQueue();
    const alarmAt = await runInDurableObject(stub, async (cart: Cart, state) => {
      useQueue(cart, queue);
      await cart.create("f".repeat(64), { requestId: "req-outbox" });
      await new Promise((resolve) => setTimeout(resolve, 50)); // the send runs after the answer
      expect(outbox(state)).toEqual([`cart.created:${id}`]);
      return state.storage.getAlarm();
    });
    // The idle expiry is a week away; an unsent event brings the alarm within a minute.
    expect(alarmAt).not.toBeNull();
    expect((alarmAt ?? 0) - Date.now()).toBeLessThanOrEqual(60_000);
    expect(queue.sent).toEqual([]);

    queue.down = false;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(queue.sent.map((m) => m.body)).toEqual([
      expect.objectContaining({ id: `cart.created:${id}`, type: "cart.created", requestId: "req-outbox", data: { cartId: id } }),
    ]);
    const after = await runInDurableObject(stub, async (_cart: Cart, state) => ({
      outbox: outbox(state),
      alarm: await state.storage.getAlarm(),
    }));
    expect(after.outbox).toEqual([]);
    // Back to the idle expiry (days away), and the cart is still there.
    expect((after.alarm ?? 0) - Date.now()).toBeGreaterThan(24 * 3600_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(queue.sent).toHaveLength(1);
  });

  it("sends at once when the queue takes it", async () => {
    const id = "crt_outboxtest00000002";
    const queue = fakeQueue();
    queue.down = false;
    await runInDurableObject(env.CART.getByName(id), async (cart: Cart, state) => {
      useQueue(cart, queue);
      await cart.create("e".repeat(64), { requestId: "req-2" });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(outbox(state)).toEqual([]);
      // Nothing to retry: the alarm is the idle expiry, days away.
      expect(((await state.storage.getAlarm()) ?? 0) - Date.now()).toBeGreaterThan(24 * 3600_000);
    });
    expect(queue.sent).toHaveLength(1);
  });

  it("an alarm set when the cart was made does not drop it while it is in use, and drops it once idle", async () => {
    const id = "crt_outboxtest00000003";
    const stub = env.CART.getByName(id);
    const queue = fakeQueue();
    queue.down = false;
    const idle = await runInDurableObject(stub, async (cart: Cart, state) => {
      useQueue(cart, queue);
      await cart.create("d".repeat(64), { requestId: "req-3" });
      await new Promise((resolve) => setTimeout(resolve, 50));
      return ((await state.storage.getAlarm()) ?? 0) - Date.now();
    });
    // The alarm comes (as if the idle time since it was set had passed) to a cart used a moment ago: it stays,
    // and the alarm is set again a whole idle time after that use.
    await runInDurableObject(stub, (_cart: Cart, state) => {
      state.storage.sql.exec("UPDATE cart SET updated_at = ? WHERE id = 1", Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const kept = await runInDurableObject(stub, async (_cart: Cart, state) => ({
      carts: state.storage.sql.exec("SELECT id FROM cart").toArray().length,
      alarmIn: ((await state.storage.getAlarm()) ?? 0) - Date.now(),
    }));
    expect(kept.carts).toBe(1);
    expect(kept.alarmIn).toBeGreaterThan(idle - 60_000);
    // Unused for longer than the idle time: the alarm drops it.
    await runInDurableObject(stub, (_cart: Cart, state) => {
      state.storage.sql.exec("UPDATE cart SET updated_at = ? WHERE id = 1", Date.now() - idle - 120_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(
      await runInDurableObject(stub, (_cart: Cart, state) => state.storage.sql.exec("SELECT name FROM sqlite_master").toArray()),
    ).toEqual([]);
  });
});
