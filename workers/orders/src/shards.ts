import { orderIdShards, shardOf } from "#shared/order-id-shards.ts";
import { type OrdersDb, ordersDb } from "./db.ts";

// Orders live in shards: D1 databases with the same schema, bound as DB (shard 0), DB_1, DB_2, … An order's id
// names its shard, so everything about one order (its rows, history, outbox events, consumed-event marks) is in
// one database, a checkout writes to one database, and a read by id goes straight there. A D1 database runs one
// query at a time and holds at most 10 GB: the shards multiply both. Lists (a shopper's, a merchant's) ask every
// shard and merge.

/**
 * The shard databases in order: DB, then DB_1, DB_2, … for as long as they are bound (the naming the backup
 * relies on too). Adding a binding adds a shard for new orders; the orders already placed keep theirs (their ids
 * say where).
 */
export const orderShards = (env: Pick<OrdersEnv, "DB">): D1Database[] => orderIdShards(env, "orders");

/** The database of an order (null: its id names a shard that does not exist, so neither does the order). */
export function orderDb(env: Pick<OrdersEnv, "DB">, orderId: string): OrdersDb | null {
  const d1 = shardD1(env, orderId);
  return d1 === null ? null : ordersDb(d1);
}

export const shardD1 = (env: Pick<OrdersEnv, "DB">, orderId: string): D1Database | null => shardOf(orderShards(env), orderId);

/** Every shard's database, shard 0 first. */
export const allOrderDbs = (env: Pick<OrdersEnv, "DB">): OrdersDb[] => orderShards(env).map(ordersDb);
