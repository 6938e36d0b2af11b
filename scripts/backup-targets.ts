import { join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { BACKUP_CRON } from "#shared/cron.ts";
import { shardBinding, shardName } from "#shared/d1-shards.ts";
import { WORKERS } from "./workers.ts";

// What a backup covers and a restore rebuilds, read from the Workers' configs (the single source of bindings):
// every Worker that owns D1 databases backs each up (every shard of a sharded one, e.g. orders, orders-1…), with
// the R2 buckets it writes (its `scheduled` handler names them the same way). The storefront and admin Workers read
// the catalog's bucket too; the catalog owns it.
export const BACKUPS_BINDING = "BACKUPS";
const OWNED_BUCKETS: Record<string, { name: string; binding: string }[]> = {
  catalog: [{ name: "assets", binding: "ASSETS" }],
  fulfillment: [{ name: "documents", binding: "DOCUMENTS" }],
};

/** One D1 database: a Worker with shards has one of these per shard, each backed up and restored on its own. */
export type DatabaseTarget = { name: string; worker: string; binding: string; id: string };
export type BucketTarget = { name: string; worker: string; binding: string; bucketName: string };
export type Targets = { databases: DatabaseTarget[]; buckets: BucketTarget[]; backupsBucket: string };

export function backupTargets(root: string): Targets {
  const databases: DatabaseTarget[] = [];
  const buckets: BucketTarget[] = [];
  let backupsBucket: string | undefined;
  for (const spec of WORKERS) {
    const config = unstable_readConfig({ config: join(root, spec.config) });
    if (config.d1_databases.length === 0) continue;
    if (!(config.triggers.crons ?? []).includes(BACKUP_CRON))
      throw new Error(`${spec.config}: owns a D1 database, but has no backup cron "${BACKUP_CRON}"`);
    databases.push(...shardTargets(spec.config, spec.name, config.d1_databases));
    const r2 = new Map((config.r2_buckets as { binding: string; bucket_name?: string }[]).map((b) => [b.binding, b.bucket_name]));
    const bucketName = (binding: string): string => {
      const name = r2.get(binding);
      if (name === undefined) throw new Error(`${spec.config}: no R2 bucket (with a bucket_name) bound as ${binding}`);
      return name;
    };
    backupsBucket = bucketName(BACKUPS_BINDING);
    for (const own of OWNED_BUCKETS[spec.name] ?? []) buckets.push({ ...own, worker: spec.name, bucketName: bucketName(own.binding) });
  }
  if (backupsBucket === undefined) throw new Error("no Worker owns a D1 database");
  return { databases, buckets, backupsBucket };
}

/**
 * A Worker's D1 databases as its `scheduled` handler finds them (workers/shared/src/d1-shards.ts): bound as DB,
 * DB_1, DB_2… and named after the first (`orders`, `orders-1`…). A config that binds them otherwise would have a
 * database the daily backup never finds, or backs up under another name than the restore looks for: refused.
 */
export function shardTargets(
  config: string,
  worker: string,
  d1: readonly { binding: string; database_name?: string; database_id?: string }[],
): DatabaseTarget[] {
  const first = d1[0]?.database_name;
  return d1.map((db, n) => {
    if (db.database_name === undefined || db.database_id === undefined)
      throw new Error(`${config}: the D1 database needs a name and an id`);
    const want = { binding: shardBinding(n), name: shardName(first ?? "", n) };
    if (db.binding !== want.binding || db.database_name !== want.name) {
      throw new Error(
        `${config}: D1 database ${n + 1} is bound as ${db.binding} and named ${db.database_name}; the backup finds it only as ${want.binding} named ${want.name} (shards are DB, DB_1, DB_2… named <name>, <name>-1…)`,
      );
    }
    return { name: db.database_name, worker, binding: db.binding, id: db.database_id };
  });
}
