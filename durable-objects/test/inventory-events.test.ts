import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Inventory } from "../src/inventory/inventory.ts";
import { refusingQueue, resendByAlarm, useQueue } from "./refusing-queue.ts";

const outbox = (state: DurableObjectState) => state.storage.sql.exec<{ id: string; body: string }>("SELECT id, body FROM outbox").toArray();
const afterCoalescing = () => new Promise((resolve) => setTimeout(resolve, 400));

describe("inventory.changed leaves through the Inventory object's outbox", () => {
  it("is written with the change, kept (newest figure only) while the queue refuses, and sent by the alarm", async () => {
    const sku = `EVT-${crypto.randomUUID()}`;
    const stub = env.INVENTORY.getByName(sku);
    const queue = refusingQueue();
    const alarmAt = await runInDurableObject(stub, async (inventory: Inventory, state) => {
      useQueue(inventory, "INVENTORY_EVENTS", queue);
      await inventory.restock("r1", 5, "delivery");
      await inventory.restock("r2", 3, "delivery");
      await afterCoalescing();
      // Two changes, refused: one row, the newer figure (the catalog keeps only the newest).
      const rows = outbox(state);
      expect(rows.map((r) => r.id)).toEqual([`inventory.changed:${sku}:2`]);
      expect(JSON.parse(rows[0]?.body ?? "{}")).toMatchObject({
        type: "inventory.changed",
        data: { sku, onHand: 8, available: 8, seq: 2 },
      });
      return state.storage.getAlarm();
    });
    // No hold to expire, yet an alarm: it is there to send the event again.
    await resendByAlarm(stub, alarmAt, queue);
    expect(queue.sent).toEqual([
      expect.objectContaining({ id: `inventory.changed:${sku}:2`, data: { sku, onHand: 8, available: 8, seq: 2 } }),
    ]);
    const after = await runInDurableObject(stub, async (_inventory: Inventory, state) => ({
      outbox: outbox(state),
      alarm: await state.storage.getAlarm(),
    }));
    expect(after).toEqual({ outbox: [], alarm: null });
  });

  it("sends once per burst of changes when the queue takes it, and sets no alarm for it", async () => {
    const sku = `EVT-${crypto.randomUUID()}`;
    const queue = refusingQueue();
    queue.down = false;
    await runInDurableObject(env.INVENTORY.getByName(sku), async (inventory: Inventory, state) => {
      useQueue(inventory, "INVENTORY_EVENTS", queue);
      await inventory.restock("r1", 4, "delivery");
      await inventory.sell("s1", 1, "order:o1");
      await inventory.sell("s2", 1, "order:o2");
      await afterCoalescing();
      expect(outbox(state)).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
    expect(queue.sent).toEqual([
      expect.objectContaining({ type: "inventory.changed", data: expect.objectContaining({ available: 2, seq: 3 }) }),
    ]);
  });
});
