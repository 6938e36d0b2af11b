import type { z } from "zod";
import { runTimeOf } from "./manifest.ts";

// Reading the backups bucket: manifests, and the runs under a prefix.

export async function readManifest<T>(backups: R2Bucket, key: string, schema: z.ZodType<T>): Promise<T | null> {
  const object = await backups.get(key);
  return object === null ? null : schema.parse(await object.json());
}

/** Every key under a prefix, in key order (which, for run names, is time order). */
export async function listKeys(bucket: R2Bucket, prefix: string): Promise<R2Object[]> {
  const out: R2Object[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...page.objects);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return out;
}

/** The run times with a manifest under `prefix`, oldest first. */
export async function runTimes(backups: R2Bucket, prefix: string): Promise<string[]> {
  const times = (await listKeys(backups, prefix)).filter((o) => o.key.endsWith(".json")).map((o) => runTimeOf(o.key, prefix));
  return times.filter((t): t is string => t !== null).sort();
}
