import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { envelope } from "#schema/events.ts";
import { ERASED_EMAIL } from "#shared/erasure.ts";
import { orderIdOn } from "#shared/order-id.ts";
import orders from "../src/index.ts";
import { writeOrder } from "../src/order-store.ts";
import { orderDb, orderShards } from "../src/shards.ts";
import { order } from "./order-record.ts";

// The orders Worker's queue consumer on its real shards: an order's events land on the order's shard, marks too;
// an erased account's orders are changed on every shard.

const paid = { status: "paid", reason: "payment captured" } as const;

async function place(shard: number, userId: string): Promise<string> {
  const id = orderIdOn(shard);
  const db = orderDb(env, id);
  if (db === null) throw new Error("no shard");
  await writeOrder(db, order(id, { userId }), paid, []);
  return id;
}

async function consume(...bodies: unknown[]) {
  const batch = createMessageBatch(
    "fulfillment-events",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await orders.queue(batch, env);
  return getQueueResult(batch, ctx);
}

/** What each shard holds for a query (one row or none), shard 0 first. */
const onEachShard = (sql: string, ...args: unknown[]) =>
  Promise.all(
    orderShards(env).map((d1) =>
      d1
        .prepare(sql)
        .bind(...args)
        .first<Record<string, unknown>>(),
    ),
  );

describe("the orders Worker's consumer on sharded orders", () => {
  it("follows a shipment on the order's own shard and marks the event there", async () => {
    const id = await place(2, `usr_${crypto.randomUUID()}`);
    const shipped = envelope("shipment.created", {
      shipmentId: `shp_${id}`,
      orderId: id,
      merchantId: "mer_a",
      email: "a@example.com",
      status: "pending",
      carrier: null,
      trackingNumber: null,
      items: [{ sku: "A-1", quantity: 2 }],
    });
    expect(await consume(shipped)).toMatchObject({ explicitAcks: ["m0"], retryMessages: [] });
    const statuses = await onEachShard("SELECT status FROM orders WHERE id = ?", id);
    expect(statuses.map((s) => s?.status ?? null)).toEqual([null, null, "fulfilling", null]);
    const marks = await onEachShard("SELECT type FROM processed_events WHERE event_id = ?", shipped.id);
    expect(marks.map((m) => m?.type ?? null)).toEqual([null, null, "shipment.created", null]);
    // Delivered again: acknowledged, nothing moves twice.
    expect(await consume(shipped)).toMatchObject({ explicitAcks: ["m0"], retryMessages: [] });
    const history = await onEachShard("SELECT COUNT(*) AS n FROM order_transitions WHERE order_id = ? AND to_status = 'fulfilling'", id);
    expect(history.map((h) => h?.n)).toEqual([0, 0, 1, 0]);
  });

  it("erases an account's orders on every shard, marking the event on shard 0", async () => {
    const userId = `usr_${crypto.randomUUID()}`;
    const ids = [await place(0, userId), await place(1, userId), await place(3, userId), await place(3, userId)];
    const other = await place(1, `usr_${crypto.randomUUID()}`);
    const erased = envelope("identity.user_erased", { userId });
    expect(await consume(erased)).toMatchObject({ explicitAcks: ["m0"], retryMessages: [] });
    for (const id of ids) {
      const rows = (await onEachShard("SELECT email, user_id AS userId FROM orders WHERE id = ?", id)).filter((r) => r !== null);
      expect(rows, id).toEqual([{ email: ERASED_EMAIL, userId: null }]);
    }
    const untouched = await onEachShard("SELECT email FROM orders WHERE id = ?", other);
    expect(untouched[1]).toEqual({ email: "a@example.com" });
    const marks = await onEachShard("SELECT type FROM processed_events WHERE event_id = ?", erased.id);
    expect(marks.map((m) => m?.type ?? null)).toEqual(["identity.user_erased", null, null, null]);
  });
});
