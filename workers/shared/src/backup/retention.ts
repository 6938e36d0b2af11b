import { backupKeys, R2Manifest, runTimeOf } from "./manifest.ts";
import { listKeys, readManifest, runTimes } from "./store.ts";

const DAY_MS = 86_400_000;

async function deleteKeys(backups: R2Bucket, keys: string[]): Promise<number> {
  // R2 deletes up to 1,000 keys per call.
  for (let i = 0; i < keys.length; i += 1000) await backups.delete(keys.slice(i, i + 1000));
  return keys.length;
}

/**
 * Deletes the runs under `prefix` taken more than `days` days before `now`; the run just written (`current`) is
 * never one of them, so a platform that stopped backing up for a while still keeps its last backup.
 */
export async function expireRuns(backups: R2Bucket, prefix: string, days: number, now: string): Promise<number> {
  const cutoff = Date.parse(now) - days * DAY_MS;
  const expired = (await listKeys(backups, prefix))
    .map((o) => ({ key: o.key, at: runTimeOf(o.key, prefix) }))
    .filter((o) => o.at !== null && o.at !== now && Date.parse(o.at) < cutoff)
    .map((o) => o.key);
  return deleteKeys(backups, expired);
}

/** Deletes the copies of a bucket's objects that no manifest still kept names (objects deleted long ago). */
export async function sweepCopies(backups: R2Bucket, bucket: string): Promise<number> {
  const named = new Set<string>();
  for (const at of await runTimes(backups, backupKeys.r2Prefix(bucket))) {
    const manifest = await readManifest(backups, backupKeys.r2Manifest(bucket, at), R2Manifest);
    for (const o of manifest?.objects ?? []) if (o.sha256 !== null) named.add(o.key);
  }
  const prefix = backupKeys.copyPrefix(bucket);
  const unnamed = (await listKeys(backups, prefix)).map((o) => o.key).filter((key) => !named.has(key.slice(prefix.length)));
  return deleteKeys(backups, unnamed);
}
