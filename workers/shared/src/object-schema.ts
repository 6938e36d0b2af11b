/**
 * Schema versions for a Durable Object's SQLite storage: each class lists numbered steps, the object keeps the
 * version it has reached (a one-row `schema_version` table: `PRAGMA user_version` is not authorised in Durable
 * Object storage), and on first use it runs the steps it has not run yet, all in one transaction. No call sees a
 * half-migrated object: a step that throws rolls every step back, the object stays at its old version, and the
 * next use tries again.
 *
 * Version 0 is an object without the table: a new one (no tables at all), or one made before versions existed.
 * Step 1 of each class is written for both (`CREATE TABLE IF NOT EXISTS`, `addColumnIfMissing`), so the first
 * release with versions takes over objects of every earlier shape; every later step may assume the one before.
 */
export type SchemaStep = {
  version: number;
  /** What the step does, for whoever reads the list. */
  does: string;
  up: (sql: ObjectSql) => void;
};

// A Durable Object's SqlStorage and storage, as far as this module uses them: written out, so the module (and each
// class's list of steps) also type-checks where the Workers runtime's types are absent (the upgrade test, in Node).
export type ObjectSql = { exec(query: string, ...bindings: (string | number | null)[]): { toArray(): Record<string, unknown>[] } };
export type ObjectStorage<Sql extends ObjectSql = ObjectSql> = {
  sql: Sql;
  transactionSync<T>(work: () => T): T;
  deleteAll(): Promise<void>;
};

export const SCHEMA_VERSION_TABLE = "schema_version";

/** The version the object has reached; 0 if it has no version table. */
export function schemaVersion(sql: ObjectSql): number {
  const table = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", SCHEMA_VERSION_TABLE).toArray();
  if (table.length === 0) return 0;
  const row = sql.exec(`SELECT version FROM ${SCHEMA_VERSION_TABLE} WHERE id = 1`).toArray()[0];
  return typeof row?.version === "number" ? row.version : 0;
}

/** The steps' newest version; throws if they are not numbered 1, 2, 3… in order (a mistake in the class). */
export function latestVersion(steps: readonly SchemaStep[]): number {
  steps.forEach((step, i) => {
    if (step.version !== i + 1) throw new Error(`schema step ${i + 1} is numbered ${step.version}: steps are numbered 1, 2, 3… in order`);
  });
  return steps.length;
}

/**
 * Runs the steps above the object's version, in order, and records the newest, in one transaction. Answers the
 * versions before and after. An object newer than the steps (this code is older than the code that migrated it)
 * is refused rather than used with a schema it does not know.
 */
export function migrateObject(storage: ObjectStorage, steps: readonly SchemaStep[]): { from: number; to: number } {
  const latest = latestVersion(steps);
  return storage.transactionSync(() => {
    const sql = storage.sql;
    const from = schemaVersion(sql);
    if (from > latest) throw new Error(`this object's schema is at version ${from}; this code knows versions up to ${latest}`);
    if (from === latest) return { from, to: latest };
    for (const step of steps.slice(from)) step.up(sql);
    sql.exec(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_VERSION_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, migrated_at INTEGER NOT NULL)`,
    );
    sql.exec(
      `INSERT INTO ${SCHEMA_VERSION_TABLE} (id, version, migrated_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at`,
      latest,
      Date.now(),
    );
    return { from, to: latest };
  });
}

/** For step 1 only: adds a column that objects of an older shape lack (later steps know the shape they start from). */
export function addColumnIfMissing(sql: ObjectSql, table: string, column: string, definition: string): void {
  const present = sql.exec("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", table, column).toArray();
  if (present.length === 0) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}

/**
 * One object's schema, migrated on its first use: `sql` runs the migration once per instance, then hands out the
 * storage's SQL. An object that deletes its storage does it through `deleteAll()`, so its next use makes the
 * schema again (the same instance may be called after its alarm wiped everything). Its transactions go through
 * `transaction()`: a migration run inside one would be undone by its rollback after this instance counted it done.
 */
export class ObjectSchema<Sql extends ObjectSql> {
  private readonly storage: ObjectStorage<Sql>;
  private readonly steps: readonly SchemaStep[];
  private migrated = false;

  constructor(storage: ObjectStorage<Sql>, steps: readonly SchemaStep[]) {
    latestVersion(steps);
    this.storage = storage;
    this.steps = steps;
  }

  get sql(): Sql {
    this.migrate();
    return this.storage.sql;
  }

  /** `transactionSync`, after the migration (which must not roll back with `work`). */
  transaction<T>(work: () => T): T {
    this.migrate();
    return this.storage.transactionSync(work);
  }

  /** Whether the object has a table of that name now, without making any (a probe must not create an object). */
  hasTable(name: string): boolean {
    return this.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;
  }

  /** Deletes everything the object stores, tables included; the next use of `sql` makes the schema again. */
  async deleteAll(): Promise<void> {
    const deleting = this.storage.deleteAll();
    this.migrated = false;
    await deleting;
  }

  private migrate(): void {
    if (this.migrated) return;
    migrateObject(this.storage, this.steps);
    this.migrated = true;
  }
}
