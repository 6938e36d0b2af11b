import type { z } from "zod";
import { sha256Hex } from "../crypto.ts";
import { dumpSnapshot } from "./d1-dump.ts";
import { readSchema, type SqlDb, takeSnapshot } from "./d1-snapshot.ts";
import { backupKeys, D1Manifest, type ObjectEntry, R2Manifest } from "./manifest.ts";
import { inParallel } from "./r2-copy.ts";
import type { BucketCheck, BucketPlan, DatabaseCheck, TableCheck } from "./report.ts";
import { quoteIdent } from "./sql-text.ts";
import { listKeys, readManifest, runTimes } from "./store.ts";

/** Which run to restore from, where the backups are, and whether what is in the way may be replaced. */
export type RestoreRun = { backups: R2Bucket; takenAt: string; wipe: boolean };

async function requireManifest<T>(backups: R2Bucket, key: string, schema: z.ZodType<T>): Promise<T> {
  const manifest = await readManifest(backups, key, schema);
  if (manifest === null) throw new Error(`${key} is not in the backups bucket`);
  return manifest;
}

/** The newest run under `prefix` taken at or before `from`. */
export async function runAtOrBefore(backups: R2Bucket, prefix: string, from: Date): Promise<string | null> {
  const times = (await runTimes(backups, prefix)).filter((at) => Date.parse(at) <= from.getTime());
  return times.at(-1) ?? null;
}

/** Reads a database back and holds it against its manifest: schema, and row count and checksum of every table. */
export async function checkDatabase(db: SqlDb, manifest: D1Manifest): Promise<DatabaseCheck> {
  const now = await dumpSnapshot(await takeSnapshot(db));
  const found = new Map(now.tables.map((t) => [t.name, t]));
  const names = new Set([...manifest.tables.map((t) => t.name), ...found.keys()]);
  const tables = [...names].map((name): TableCheck => {
    const want = manifest.tables.find((t) => t.name === name);
    const got = found.get(name);
    return {
      name,
      rows: got?.rows ?? 0,
      expectedRows: want?.rows ?? 0,
      ok: want !== undefined && got !== undefined && want.sha256 === got.sha256,
    };
  });
  const schemaOk = now.schemaSha256 === manifest.schemaSha256;
  return { database: manifest.database, takenAt: manifest.takenAt, schemaOk, tables, ok: schemaOk && tables.every((t) => t.ok) };
}

/** Whether a database holds nothing of ours (no table, index, trigger or view). */
export async function isEmpty(db: SqlDb): Promise<boolean> {
  return (await readSchema(db)).entries.length === 0;
}

/** Statements that drop everything a database holds, dependents first. */
async function dropAll(db: SqlDb): Promise<string[]> {
  const { entries, tables } = await readSchema(db);
  const virtual = new Set(tables.filter((t) => t.virtual).map((t) => t.name));
  const drop = (type: string, keep: (name: string) => boolean) =>
    entries.filter((e) => e.type === type && keep(e.name)).map((e) => `DROP ${type.toUpperCase()} IF EXISTS ${quoteIdent(e.name)};`);
  return [
    ...drop("trigger", () => true),
    ...drop("view", () => true),
    ...drop("table", (name) => virtual.has(name)),
    ...drop("table", (name) => !virtual.has(name)),
  ];
}

/**
 * Rebuilds a database from a backup, in one batch (one transaction: it is all there or none of it is). The file's
 * checksum is checked first. Over a database that holds anything it refuses, unless `wipe`: then everything in
 * it is dropped in the same transaction. The database is then read back and held against the manifest.
 */
export async function restoreDatabase(db: SqlDb, database: string, run: RestoreRun): Promise<DatabaseCheck> {
  const { backups } = run;
  const manifest = await requireManifest(backups, backupKeys.d1Manifest(database, run.takenAt), D1Manifest);
  const file = await backups.get(manifest.file);
  if (file === null) throw new Error(`${manifest.file} is missing from the backups bucket`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  if ((await sha256Hex(bytes)) !== manifest.sha256) throw new Error(`${manifest.file} does not match its manifest's checksum`);
  const wipe = await dropAll(db);
  if (wipe.length > 0 && !run.wipe) throw new Error(`${database} is not empty: restore over it only with --wipe`);
  const statements = new TextDecoder()
    .decode(bytes)
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("--"));
  await db.batch(["PRAGMA defer_foreign_keys = on;", ...wipe, ...statements].map((sql) => db.prepare(sql)));
  return checkDatabase(db, manifest);
}

/** A bucket as it is, held against a backup's manifest of it. */
async function bucketState(bucket: R2Bucket, name: string, run: Omit<RestoreRun, "wipe">) {
  const manifest = await requireManifest(run.backups, backupKeys.r2Manifest(name, run.takenAt), R2Manifest);
  const present = new Map((await listKeys(bucket, "")).map((o) => [o.key, o]));
  const wanted = new Set(manifest.objects.map((o) => o.key));
  return {
    manifest,
    present,
    differing: manifest.objects.filter((o) => present.has(o.key) && present.get(o.key)?.etag !== o.etag).map((o) => o.key),
    extra: [...present.keys()].filter((key) => !wanted.has(key)),
  };
}

/** What a restore of a bucket would do: objects that differ from the backup's are only replaced with --wipe. */
export async function planBucket(bucket: R2Bucket, name: string, run: Omit<RestoreRun, "wipe">): Promise<BucketPlan> {
  const { manifest, differing, extra } = await bucketState(bucket, name, run);
  const uncopied = manifest.objects.filter((o) => o.sha256 === null).length;
  return { bucket: name, takenAt: run.takenAt, objects: manifest.objects.length, uncopied, differing, extra: extra.length };
}

/**
 * Puts the bucket's objects back from the copies: what is missing or (with `wipe`) different; with `wipe`, objects
 * the backup does not name are deleted, so the bucket is exactly the backup's. Then every object is read back
 * and its SHA-256 held against the manifest.
 */
export async function restoreBucket(bucket: R2Bucket, name: string, run: RestoreRun): Promise<BucketCheck> {
  const { backups, takenAt } = run;
  const { manifest, present, differing, extra: unnamed } = await bucketState(bucket, name, run);
  if (differing.length > 0 && !run.wipe)
    throw new Error(`${differing.length} objects of ${name} differ from the backup: restore over them only with --wipe`);
  const extra = run.wipe ? unnamed : [];
  for (let i = 0; i < extra.length; i += 1000) await bucket.delete(extra.slice(i, i + 1000));

  const check: BucketCheck = {
    bucket: name,
    takenAt,
    objects: manifest.objects.length,
    restored: 0,
    kept: 0,
    removed: extra.length,
    missing: [],
    changed: [],
    verified: 0,
    ok: false,
  };
  await inParallel(manifest.objects, async (entry: ObjectEntry) => {
    if (present.get(entry.key)?.etag === entry.etag) {
      check.kept++;
      return;
    }
    const copy = entry.sha256 === null ? null : await backups.get(backupKeys.copy(name, entry.key));
    if (copy === null) {
      check.missing.push(entry.key);
      return;
    }
    const bytes = new Uint8Array(await copy.arrayBuffer());
    const sha256 = await sha256Hex(bytes);
    if (sha256 !== entry.sha256) check.changed.push(entry.key);
    await bucket.put(entry.key, bytes, { httpMetadata: copy.httpMetadata, customMetadata: copy.customMetadata, sha256 });
    check.restored++;
  });
  const readBack = await inParallel(manifest.objects, async (entry) => {
    const object = entry.sha256 === null ? null : await bucket.get(entry.key);
    return object !== null && (await sha256Hex(new Uint8Array(await object.arrayBuffer()))) === entry.sha256;
  });
  check.verified = readBack.filter(Boolean).length;
  check.ok = check.verified === manifest.objects.length;
  return check;
}
