import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newOrderId, orderIdOn, shardIndexOf } from "#shared/order-id.ts";
import { orderShipments } from "../db/tables.ts";
import { deliveredOrderWith, merchantOrders } from "../src/merchant-orders.ts";
import { listOrders, writeOrder } from "../src/order-store.ts";
import { allOrderDbs, orderDb, orderShards } from "../src/shards.ts";
import { order } from "./order-record.ts";

const paid = { status: "paid", reason: "payment captured" } as const;

describe("order shards", () => {
  it("are the config's databases in order, DB first", () => {
    expect(orderShards(env)).toEqual([env.DB, env.DB_1, env.DB_2, env.DB_3]);
  });

  it("an order id names its shard; ids from before shards are on shard 0; an id naming no shard has none", () => {
    const seen = new Set<number | null>();
    for (let i = 0; i < 200; i++) {
      const id = newOrderId(4);
      expect(id).toMatch(/^ord_[0-3][A-Za-z0-9_-]{16}$/);
      seen.add(shardIndexOf(id, 4));
    }
    // Random placement reaches every shard (200 draws miss one with odds of about 4·(3/4)^200).
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(shardIndexOf("ord_AbCdEfGhIjKlMnOp", 4)).toBe(0); // 16 characters: placed before shards
    expect(shardIndexOf("ord_test1", 4)).toBe(0);
    expect(shardIndexOf("ord_9AbCdEfGhIjKlMnOp", 4)).toBeNull();
    expect(orderDb(env, "ord_9AbCdEfGhIjKlMnOp")).toBeNull();
    expect(newOrderId(1)).toMatch(/^ord_0/);
  });

  it("a shopper's list and a merchant's list merge every shard, newest first, cut to the limit", async () => {
    const user = `usr_${crypto.randomUUID()}`;
    const merchant = `mer_${crypto.randomUUID().slice(0, 8)}`;
    const t0 = Date.now() - 10_000;
    // Eight orders, two per shard, interleaved in time, so no one shard's list is the answer.
    const placed = Array.from({ length: 8 }, (_, i) => ({ id: orderIdOn(i % 4), createdAt: t0 + i * 100 }));
    for (const p of placed) {
      const db = orderDb(env, p.id);
      if (db === null) throw new Error("no shard");
      await writeOrder(db, order(p.id, { userId: user, createdAt: p.createdAt, merchantId: merchant }), paid, []);
    }
    const newestFirst = [...placed].reverse().map((p) => p.id);
    expect((await listOrders(allOrderDbs(env), user, 8)).map((o) => o.id)).toEqual(newestFirst);
    expect((await listOrders(allOrderDbs(env), user, 3)).map((o) => o.id)).toEqual(newestFirst.slice(0, 3));
    // Each order is hydrated from its own shard: its lines are there.
    expect((await listOrders(allOrderDbs(env), user, 8)).every((o) => o.items.length === 1)).toBe(true);
    const mine = await merchantOrders(allOrderDbs(env), merchant, { limit: 5 });
    expect(mine.map((o) => o.id)).toEqual(newestFirst.slice(0, 5));
    // Each order's rows are on its shard only.
    for (const p of placed) {
      for (const [index, d1] of orderShards(env).entries()) {
        const row = await d1.prepare("SELECT COUNT(*) AS n FROM orders WHERE id = ?").bind(p.id).first<{ n: number }>();
        expect(row?.n).toBe(index === shardIndexOf(p.id, 4) ? 1 : 0);
      }
    }
    // A verified purchase is found on whichever shard holds it: the newest delivered order with the product.
    expect(await deliveredOrderWith(allOrderDbs(env), user, "a")).toBeNull();
    const deliver = async (id: string) =>
      orderDb(env, id)
        ?.insert(orderShipments)
        .values({ id: `shp_${id}`, orderId: id, merchantId: merchant, status: "delivered", rank: 3, updatedAt: Date.now() });
    const [older, newer] = [placed[1], placed[6]].map((p) => p?.id ?? "");
    await deliver(older ?? "");
    expect(await deliveredOrderWith(allOrderDbs(env), user, "a")).toBe(older);
    await deliver(newer ?? "");
    expect(await deliveredOrderWith(allOrderDbs(env), user, "a")).toBe(newer);
  });
});
