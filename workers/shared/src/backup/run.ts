import { z } from "zod";
import { configFrom } from "../config.ts";
import { sha256Hex } from "../crypto.ts";
import { type Shard, shardsOf } from "../d1-shards.ts";
import { createLogger, errorFields, type Logger, parseLogLevel } from "../logger.ts";
import { dumpSnapshot } from "./d1-dump.ts";
import { type SqlDb, takeSnapshot } from "./d1-snapshot.ts";
import { backupKeys, type D1Manifest } from "./manifest.ts";
import { backupBucket } from "./r2-copy.ts";
import { expireRuns, sweepCopies } from "./retention.ts";

/**
 * A snapshot is read into the Worker's memory (128 MB) in one transaction. A database larger than this on disk
 * is not read: the run fails loudly instead of being killed half-way (see docs/operations.md, Backups: past this, export it
 * from outside with `wrangler d1 export`, and Time Travel covers the last 30 days either way).
 */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/** New objects copied per bucket per run: far below a Worker's 10,000 calls per invocation. */
export const MAX_COPIES_PER_RUN = 2_000;

export type BackupTarget = {
  /** The Worker's D1 databases (its shards, or its one database), each by its `database_name`, which names its backups. */
  databases: readonly Shard<SqlDb>[];
  backups: R2Bucket;
  /** The R2 buckets this Worker owns, by name: their objects are listed and copied with each run. */
  buckets?: Record<string, R2Bucket>;
  retentionDays: number;
  at: Date;
  log: Logger;
  /** New objects copied per bucket in this run (MAX_COPIES_PER_RUN unless a test says otherwise). */
  maxCopies?: number;
};

export type DatabaseReport = { database: string; tables: number; rows: number; bytes: number };

export type BackupReport = {
  takenAt: string;
  databases: DatabaseReport[];
  buckets: { bucket: string; objects: number; copied: number; complete: boolean }[];
  expired: number;
  errors: string[];
};

async function backupDatabase(target: Shard<SqlDb>, backups: R2Bucket, at: string): Promise<D1Manifest> {
  const snapshot = await takeSnapshot(target.db, MAX_SNAPSHOT_BYTES);
  const dump = await dumpSnapshot(snapshot);
  const header = [
    `-- Edge Commerce: D1 database "${target.database}" as of ${at} (${dump.tables.length} tables).`,
    `-- Restore into an EMPTY database: wrangler d1 execute ${target.database} --remote --file=<this file>`,
  ];
  const text = `${[...header, ...dump.statements].join("\n")}\n`;
  const bytes = new TextEncoder().encode(text);
  const sha256 = await sha256Hex(bytes);
  const file = backupKeys.d1File(target.database, at);
  await backups.put(file, bytes, { httpMetadata: { contentType: "application/sql" }, sha256 });
  const migrations = (snapshot.rows.get("d1_migrations") ?? []).map((r) => String(r.name));
  const manifest: D1Manifest = {
    format: 1,
    kind: "d1",
    database: target.database,
    takenAt: at,
    file,
    bytes: bytes.byteLength,
    sha256,
    schemaSha256: dump.schemaSha256,
    tables: dump.tables,
    migrations,
  };
  // The manifest is written last: a run that died half-way has no manifest, and no restore will pick it.
  await backups.put(backupKeys.d1Manifest(target.database, at), JSON.stringify(manifest), {
    httpMetadata: { contentType: "application/json" },
  });
  return manifest;
}

/**
 * One backup run of one Worker's data: each of its D1 databases (every shard) as one consistent snapshot (SQL +
 * manifest) under its own name, the objects of the R2 buckets it owns (manifest + copies of new objects), then the
 * runs older than the retention are deleted, and the copies no kept manifest names. A part that fails (one shard,
 * one bucket) does not stop the others; the run then throws, so the failure shows on the cron trigger. Expiry only
 * follows a part that succeeded: a platform whose backups fail keeps its old ones.
 */
export async function runBackup(target: BackupTarget): Promise<BackupReport> {
  const at = target.at.toISOString();
  const log = target.log.with({ backup: at });
  const report: BackupReport = {
    takenAt: at,
    databases: [],
    buckets: [],
    expired: 0,
    errors: [],
  };
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      report.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      log.error(`backup: ${what} failed`, errorFields(err));
    }
  };
  for (const shard of target.databases) {
    await attempt(`D1 ${shard.database}`, async () => {
      const manifest = await backupDatabase(shard, target.backups, at);
      const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
      report.databases.push({ database: shard.database, tables: manifest.tables.length, rows, bytes: manifest.bytes });
      report.expired += await expireRuns(target.backups, backupKeys.d1Prefix(shard.database), target.retentionDays, at);
    });
  }
  for (const [name, bucket] of Object.entries(target.buckets ?? {})) {
    await attempt(`R2 ${name}`, async () => {
      const manifest = await backupBucket({ name, bucket, backups: target.backups, at, maxCopies: target.maxCopies ?? MAX_COPIES_PER_RUN });
      report.buckets.push({ bucket: name, objects: manifest.objects.length, copied: manifest.copied, complete: manifest.complete });
      if (!manifest.complete) log.warn("backup: some objects are left for the next run", { bucket: name });
      report.expired += await expireRuns(target.backups, backupKeys.r2Prefix(name), target.retentionDays, at);
      report.expired += await sweepCopies(target.backups, name);
    });
  }
  log.info("backup done", { ...report });
  if (report.errors.length > 0) {
    const names = [...target.databases.map((d) => d.database), ...Object.keys(target.buckets ?? {})].join(", ");
    throw new Error(`backup of ${names} at ${at} failed: ${report.errors.join("; ")}`);
  }
  return report;
}

const backupConfig = configFrom(z.object({ BACKUP_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650) }));

export type BackupEnv = { DB: D1Database; BACKUPS: R2Bucket; BACKUP_RETENTION_DAYS: string; LOG_LEVEL?: string };

/**
 * A Worker's `scheduled` handler for BACKUP_CRON: its database (and buckets) into `backups`, named by the tick.
 * `database` is the name of the one bound as DB; shards bound as DB_1, DB_2… are found and backed up too, each
 * under its own name (`orders-1`, `orders-2`…: workers/shared/src/d1-shards.ts).
 */
export async function scheduledBackup(
  controller: Pick<ScheduledController, "scheduledTime">,
  env: BackupEnv,
  own: { service: string; database: string; buckets?: Record<string, R2Bucket> },
): Promise<BackupReport> {
  const { BACKUP_RETENTION_DAYS } = backupConfig(env);
  return runBackup({
    databases: shardsOf(env, own.database),
    backups: env.BACKUPS,
    ...(own.buckets === undefined ? {} : { buckets: own.buckets }),
    retentionDays: BACKUP_RETENTION_DAYS,
    at: new Date(controller.scheduledTime),
    log: createLogger(own.service, parseLogLevel(env.LOG_LEVEL)),
  });
}
