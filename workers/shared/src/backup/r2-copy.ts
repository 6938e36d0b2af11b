import { sha256Hex } from "../crypto.ts";
import { backupKeys, type ObjectEntry, R2Manifest } from "./manifest.ts";
import { listKeys, readManifest, runTimes } from "./store.ts";

/** At most this many R2 calls at once (a Worker has six connections). */
const PARALLEL = 4;

/** Runs `work` over `items`, `PARALLEL` at a time, keeping the order of the results. */
export async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, lane));
  return out;
}

/** The newest manifest of a bucket, if any: what it says about an unchanged object need not be read again. */
export async function latestR2Manifest(backups: R2Bucket, bucket: string): Promise<R2Manifest | null> {
  const at = (await runTimes(backups, backupKeys.r2Prefix(bucket))).at(-1);
  return at === undefined ? null : readManifest(backups, backupKeys.r2Manifest(bucket, at), R2Manifest);
}

/**
 * Lists every object of a bucket and copies what is new into the backups bucket (`objects/<bucket>/<key>`).
 * An object whose etag and size are those of the last manifest is the same bytes, already copied: it costs
 * nothing but its line in the listing. Images are named by their hash and invoices are written once (again
 * only when a buyer is erased), so after the first run a run copies only what arrived since. At most `maxCopies`
 * objects are copied per run (a Worker's calls per invocation are bounded); the rest are listed without a
 * checksum and copied by the next run.
 */
export async function backupBucket(options: {
  name: string;
  bucket: R2Bucket;
  backups: R2Bucket;
  at: string;
  maxCopies: number;
}): Promise<R2Manifest & { copied: number }> {
  const { name, bucket, backups } = options;
  const previous = new Map((await latestR2Manifest(backups, name))?.objects.map((o) => [o.key, o]) ?? []);
  const listed = await listKeys(bucket, "");
  let budget = options.maxCopies;
  let copied = 0;
  const entries = await inParallel(listed, async (object): Promise<ObjectEntry | null> => {
    const known = previous.get(object.key);
    if (known !== undefined && known.sha256 !== null && known.etag === object.etag && known.size === object.size) return known;
    if (budget <= 0) return { key: object.key, size: object.size, etag: object.etag, sha256: null };
    budget--;
    const body = await bucket.get(object.key);
    if (body === null) return null; // deleted since it was listed
    const bytes = new Uint8Array(await body.arrayBuffer());
    const sha256 = await sha256Hex(bytes);
    // R2 checks the bytes it stores against the checksum given.
    await backups.put(backupKeys.copy(name, object.key), bytes, {
      httpMetadata: body.httpMetadata,
      customMetadata: body.customMetadata,
      sha256,
    });
    copied++;
    return { key: object.key, size: body.size, etag: body.etag, sha256 };
  });
  const objects = entries.filter((e): e is ObjectEntry => e !== null);
  const manifest: R2Manifest = {
    format: 1,
    kind: "r2",
    bucket: name,
    takenAt: options.at,
    complete: objects.every((o) => o.sha256 !== null),
    objects,
  };
  await backups.put(backupKeys.r2Manifest(name, options.at), JSON.stringify(manifest), {
    httpMetadata: { contentType: "application/json" },
  });
  return { ...manifest, copied };
}
