import { z } from "zod";

// Where a backup run puts things in the backups bucket. `<at>` is the run's scheduled time, ISO 8601 in UTC
// (`2026-11-20T03:30:00.000Z`): every Worker's run of one cron tick has the same name, so one time names the
// whole platform's backup, and names sort by time.
//
//   d1/<database>/<at>.sql     the database as SQL, one statement a line (`wrangler d1 execute --file` reads it)
//   d1/<database>/<at>.json    its manifest, written last: row count and checksum per table
//   r2/<bucket>/<at>.json      every object of the bucket at that run: key, size, etag, SHA-256
//   objects/<bucket>/<key>     a copy of each object (made once per content; kept while a manifest names it)
export const backupKeys = {
  d1Prefix: (database: string) => `d1/${database}/`,
  d1File: (database: string, at: string) => `d1/${database}/${at}.sql`,
  d1Manifest: (database: string, at: string) => `d1/${database}/${at}.json`,
  r2Prefix: (bucket: string) => `r2/${bucket}/`,
  r2Manifest: (bucket: string, at: string) => `r2/${bucket}/${at}.json`,
  copyPrefix: (bucket: string) => `objects/${bucket}/`,
  copy: (bucket: string, key: string) => `objects/${bucket}/${key}`,
};

/** The run time a key under `prefix` is named by, or null for anything else. */
export function runTimeOf(key: string, prefix: string): string | null {
  if (!key.startsWith(prefix)) return null;
  const name = key.slice(prefix.length).replace(/\.(sql|json)$/, "");
  return name.includes("/") || Number.isNaN(Date.parse(name)) ? null : name;
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Name = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/);

export const TableSum = z.object({ name: z.string().min(1), rows: z.number().int().min(0), sha256 });

export const D1Manifest = z.object({
  format: z.literal(1),
  kind: z.literal("d1"),
  database: Name,
  takenAt: z.iso.datetime(),
  file: z.string(),
  bytes: z.number().int().min(0),
  sha256,
  schemaSha256: sha256,
  tables: z.array(TableSum),
  /** The migrations the database had (names from d1_migrations), so a reader knows which schema it holds. */
  migrations: z.array(z.string()),
});
export type D1Manifest = z.infer<typeof D1Manifest>;

export const ObjectEntry = z.object({
  key: z.string().min(1),
  size: z.number().int().min(0),
  etag: z.string(),
  /** null: listed, but not copied yet (a run copies a bounded number of new objects; the next run goes on). */
  sha256: sha256.nullable(),
});
export type ObjectEntry = z.infer<typeof ObjectEntry>;

export const R2Manifest = z.object({
  format: z.literal(1),
  kind: z.literal("r2"),
  bucket: Name,
  takenAt: z.iso.datetime(),
  /** Every object listed has its copy. */
  complete: z.boolean(),
  objects: z.array(ObjectEntry),
});
export type R2Manifest = z.infer<typeof R2Manifest>;
