import { fileURLToPath } from "node:url";
import type { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";

// A Worker's shard databases as Miniflare serves them, for tests and benchmarks that read them directly: the
// orders' (by order id) and the payments ledger's (by the same id). The bindings come from the Worker's config
// (the single source), in order, shard 0 first.

type D1 = Awaited<ReturnType<Miniflare["getD1Database"]>>;
/** The Workers whose databases are sharded (workers/shared/src/order-id-shards.ts). */
const SHARDED_WORKERS = ["orders", "payments"] as const;
export type ShardedWorker = (typeof SHARDED_WORKERS)[number];
export const isSharded = (worker: string): worker is ShardedWorker => (SHARDED_WORKERS as readonly string[]).includes(worker);

export function shardBindings(worker: ShardedWorker): string[] {
  const config = fileURLToPath(new URL(`../workers/${worker}/wrangler.toml`, import.meta.url));
  return unstable_readConfig({ config }).d1_databases.map((d: { binding: string }) => d.binding);
}

export const shardDbs = (miniflare: Miniflare, worker: ShardedWorker): Promise<D1[]> =>
  Promise.all(shardBindings(worker).map((binding) => miniflare.getD1Database(binding, worker)));

/** One read on every shard of the Worker's database: all the rows, shard 0's first. */
export async function readShards<T>(miniflare: Miniflare, worker: ShardedWorker, sql: string, ...args: unknown[]): Promise<T[]> {
  const found = await Promise.all(
    (await shardDbs(miniflare, worker)).map(
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

/** A `SELECT COUNT(*) AS n …` summed over every shard of the Worker's database. */
export async function countShards(miniflare: Miniflare, worker: ShardedWorker, sql: string, ...args: unknown[]): Promise<number> {
  return (await readShards<{ n: number }>(miniflare, worker, sql, ...args)).reduce((sum, row) => sum + row.n, 0);
}

export const orderShardDbs = (miniflare: Miniflare): Promise<D1[]> => shardDbs(miniflare, "orders");
export const readOrderShards = <T>(miniflare: Miniflare, sql: string, ...args: unknown[]): Promise<T[]> =>
  readShards<T>(miniflare, "orders", sql, ...args);
export const countOrderShards = (miniflare: Miniflare, sql: string, ...args: unknown[]): Promise<number> =>
  countShards(miniflare, "orders", sql, ...args);
