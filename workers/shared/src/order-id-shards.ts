import { shardsOf } from "./d1-shards.ts";
import { MAX_SHARDS, shardIndexOf } from "./order-id.ts";

// Databases sharded by order id: the orders Worker's, and the payments Worker's (a payment's id is its order's).
// Both find their shards and pick one by id the same way, so an order and its payment sit on the same number.

/** The shard databases of `name` bound in `env`, shard 0 first (at most as many as an order id can name). */
export const orderIdShards = <D>(env: { DB: D }, name: string): D[] =>
  shardsOf(env, name)
    .slice(0, MAX_SHARDS)
    .map((s) => s.db);

/** The shard of `shards` an order id names; null when it names none of them (so nothing with that id exists). */
export function shardOf<D>(shards: readonly D[], orderId: string): D | null {
  const index = shardIndexOf(orderId, shards.length);
  return index === null ? null : (shards[index] ?? null);
}
