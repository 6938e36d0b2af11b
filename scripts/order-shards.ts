import { fileURLToPath } from "node:url";
import type { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";

// The orders Worker's shard databases as Miniflare serves them, for tests and benchmarks that read the orders
// directly: the bindings come from its config (the single source), in order, shard 0 first.

const ORDERS_CONFIG = fileURLToPath(new URL("../workers/orders/wrangler.toml", import.meta.url));
type D1 = Awaited<ReturnType<Miniflare["getD1Database"]>>;

export function orderShardBindings(): string[] {
  return unstable_readConfig({ config: ORDERS_CONFIG }).d1_databases.map((d: { binding: string }) => d.binding);
}

export const orderShardDbs = (miniflare: Miniflare): Promise<D1[]> =>
  Promise.all(orderShardBindings().map((binding) => miniflare.getD1Database(binding, "orders")));

/** One read on every shard: all the rows, shard 0's first. */
export async function readOrderShards<T>(miniflare: Miniflare, sql: string, ...args: unknown[]): Promise<T[]> {
  const found = await Promise.all(
    (await orderShardDbs(miniflare)).map(
      async (db) =>
        (
          await db
            .prepare(sql)
            .bind(...args)
            .all<T>()
        ).results,
    ),
  );
  return found.flat();
}

/** A `SELECT COUNT(*) AS n …` summed over every shard. */
export async function countOrderShards(miniflare: Miniflare, sql: string, ...args: unknown[]): Promise<number> {
  return (await readOrderShards<{ n: number }>(miniflare, sql, ...args)).reduce((sum, row) => sum + row.n, 0);
}
