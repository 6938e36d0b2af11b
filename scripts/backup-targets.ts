import { join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { BACKUP_CRON } from "#shared/cron.ts";
import { WORKERS } from "./workers.ts";

// What a backup covers and a restore rebuilds, read from the Workers' configs (the single source of bindings):
// every Worker that owns a D1 database backs it up, with the R2 buckets it writes (its `scheduled` handler names
// them the same way). The storefront and admin Workers read the catalog's bucket too; the catalog owns it.
export const BACKUPS_BINDING = "BACKUPS";
const OWNED_BUCKETS: Record<string, { name: string; binding: string }[]> = {
  catalog: [{ name: "assets", binding: "ASSETS" }],
  fulfillment: [{ name: "documents", binding: "DOCUMENTS" }],
};

export type DatabaseTarget = { name: string; worker: string; binding: string; id: string };
export type BucketTarget = { name: string; worker: string; binding: string; bucketName: string };
export type Targets = { databases: DatabaseTarget[]; buckets: BucketTarget[]; backupsBucket: string };

export function backupTargets(root: string): Targets {
  const databases: DatabaseTarget[] = [];
  const buckets: BucketTarget[] = [];
  let backupsBucket: string | undefined;
  for (const spec of WORKERS) {
    const config = unstable_readConfig({ config: join(root, spec.config) });
    const [db, ...more] = config.d1_databases;
    if (db === undefined) continue;
    if (more.length > 0) throw new Error(`${spec.config}: the backup knows one D1 database per Worker`);
    if (db.database_name === undefined || db.database_id === undefined) {
      throw new Error(`${spec.config}: the D1 database needs a name and an id`);
    }
    if (!(config.triggers.crons ?? []).includes(BACKUP_CRON))
      throw new Error(`${spec.config}: owns a D1 database, but has no backup cron "${BACKUP_CRON}"`);
    databases.push({ name: db.database_name, worker: spec.name, binding: db.binding, id: db.database_id });
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
