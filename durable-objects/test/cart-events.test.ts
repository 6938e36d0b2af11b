import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Cart } from "../src/cart/cart.ts";
import { refusingQueue, resendByAlarm, useQueue } from "./refusing-queue.ts";

const outbox = (state: DurableObjectState): string[] =>
  state.storage.sql
    .exec<{ id: string }>("SELECT id FROM outbox")
    .toArray()
    .map((r) => r.id);

describe("cart.created leaves through the cart's outbox", () => {
  it("is kept when the queue refuses it, sent by the alarm that comes early for it, and sent once", async () => {
    const id = "crt_outboxtest00000001";
    const stub = env.CART.getByName(id);
    const queue = refusingQueue();
    const alarmAt = await runInDurableObject(stub, async (cart: Cart, state) => {
      useQueue(cart, "INSIGHTS_EVENTS", queue);
      await cart.create("f".repeat(64), { requestId: "req-outbox" });
      await new Promise((resolve) => setTimeout(resolve, 50)); // the send runs after the answer
      expect(outbox(state)).toEqual([`cart.created:${id}`]);
      return state.storage.getAlarm();
    });
    // The idle expiry is a week away; an unsent event brings the alarm within a minute.
    await resendByAlarm(stub, alarmAt, queue);
    expect(queue.sent).toEqual([
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
    const queue = refusingQueue();
    queue.down = false;
    await runInDurableObject(env.CART.getByName(id), async (cart: Cart, state) => {
      useQueue(cart, "INSIGHTS_EVENTS", queue);
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
    const queue = refusingQueue();
    queue.down = false;
    const idle = await runInDurableObject(stub, async (cart: Cart, state) => {
      useQueue(cart, "INSIGHTS_EVENTS", queue);
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
