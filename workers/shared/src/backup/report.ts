// What a restore reports, per database and per bucket (plain data: the restore command prints it, tests read it).

export type TableCheck = { name: string; rows: number; expectedRows: number; ok: boolean };

export type DatabaseCheck = { database: string; takenAt: string; schemaOk: boolean; tables: TableCheck[]; ok: boolean };

/** What a restore of a bucket would do: objects that differ from the backup's are only replaced with --wipe. */
export type BucketPlan = { bucket: string; takenAt: string; objects: number; uncopied: number; differing: string[]; extra: number };

export type BucketCheck = {
  bucket: string;
  takenAt: string;
  objects: number;
  restored: number;
  kept: number;
  removed: number;
  /** In the manifest, but no copy in the backups bucket (or never copied). */
  missing: string[];
  /** Restored from a copy rewritten after this backup (an erased buyer's invoice): not the bytes of that day. */
  changed: string[];
  /** Objects read back after the restore whose SHA-256 is the manifest's. */
  verified: number;
  ok: boolean;
};
