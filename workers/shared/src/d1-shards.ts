// A Worker's D1 database may be split into shards, each its own D1 database with the same migrations: binding `DB`
// is shard 0 and keeps the database's name (e.g. `orders`, which holds everything written before there were
// shards), `DB_1`, `DB_2`… are the next ones, named `<name>-1`, `<name>-2`…, numbered without gaps. Because the
// names follow the bindings, code that must reach every shard (the daily backup) finds them in the Worker's env,
// and a shard added to the config is covered without a second list to keep in step. scripts/backup-targets.ts
// holds every config to this naming, so the names found here are the configs' database_names.

/** The binding of shard `n`. */
export const shardBinding = (n: number): string => (n === 0 ? "DB" : `DB_${n}`);

/** The database_name of shard `n` of the database `name`. */
export const shardName = (name: string, n: number): string => (n === 0 ? name : `${name}-${n}`);

/** What the shards of a D1 database are to their users; `D` is whatever the env holds (D1Database in a Worker). */
export type Shard<D> = { database: string; db: D };

const isD1 = (value: unknown): boolean =>
  typeof value === "object" && value !== null && "prepare" in value && "batch" in value && typeof value.prepare === "function";

/**
 * Every shard of the Worker's database `name` bound in `env`, shard 0 first: `DB`, then `DB_1`, `DB_2`… up to the
 * first number not bound. A Worker with one database gets `[{ database: name, db: env.DB }]`.
 */
export function shardsOf<D>(env: { DB: D }, name: string): Shard<D>[] {
  const bindings = env as unknown as Record<string, D>;
  const shards: Shard<D>[] = [];
  for (let n = 0; isD1(bindings[shardBinding(n)]); n++) shards.push({ database: shardName(name, n), db: bindings[shardBinding(n)] as D });
  // A backup of nothing would pass for a good one.
  if (shards.length === 0) throw new Error(`no D1 database of ${name} is bound as ${shardBinding(0)}`);
  return shards;
}
