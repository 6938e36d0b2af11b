import type { Row } from "./fingerprint.ts";
import { quoteIdent } from "./sql-text.ts";

/** What a backup and a restore need of a D1 binding (the Worker's own, or Miniflare's Node proxy of it). */
export type SqlStatement = { bind(...values: unknown[]): SqlStatement };
export type SqlDb = {
  prepare(sql: string): SqlStatement;
  batch(statements: SqlStatement[]): Promise<{ results: unknown[]; meta?: object }[]>;
};

/** One object of sqlite_master that a restore must create again (tables, virtual tables, indexes, views, triggers). */
export type SchemaEntry = { type: string; name: string; tableName: string; sql: string };

/** A table whose rows are kept: its columns as read (`rowid` first where the rowid must survive) and its order. */
export type TableShape = { name: string; virtual: boolean; columns: string[]; keepRowid: boolean; orderBy: string[] };

export type Schema = { entries: SchemaEntry[]; tables: TableShape[]; autoincrement: boolean; bytes: number };

export type Snapshot = { schema: Schema; rows: Map<string, Row[]>; sequences: Row[] };

const MASTER = "SELECT type, name, tbl_name AS tableName, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid";
const TABLE_LIST = "SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main'";
const SEQUENCES = "SELECT name, seq FROM sqlite_sequence ORDER BY name";

// SQLite's own tables, D1's (`_cf_…`) and the tables a virtual table keeps its data in (FTS5's `…_data`, `…_idx`…:
// "shadow" tables, rebuilt by the virtual table itself) are never written back.
const internal = (name: string): boolean => name.startsWith("sqlite_") || name.startsWith("_cf_");
const ROWID_NAMES = new Set(["rowid", "oid", "_rowid_"]);

type ListRow = { name: string; type: string; wr: number };
type ColumnRow = { name: string; type: string; pk: number };

/** The database's schema and, per table, how to read it back in primary-key order. */
export async function readSchema(db: SqlDb): Promise<Schema & { master: SchemaEntry[] }> {
  const [master, list] = await db.batch([db.prepare(MASTER), db.prepare(TABLE_LIST)]);
  const masterRows = (master?.results ?? []) as SchemaEntry[];
  const listed = new Map(((list?.results ?? []) as ListRow[]).map((t) => [t.name, t]));
  const kept = (name: string) => !internal(name) && listed.get(name)?.type !== "shadow";
  const entries = masterRows.filter((e) => kept(e.name) && kept(e.tableName));
  const tableNames = entries.filter((e) => e.type === "table").map((e) => e.name);
  const infos =
    tableNames.length === 0
      ? []
      : await db.batch(tableNames.map((name) => db.prepare("SELECT name, type, pk FROM pragma_table_info(?)").bind(name)));
  const tables = tableNames.map((name, i) => tableShape(name, listed.get(name), (infos[i]?.results ?? []) as ColumnRow[]));
  return {
    master: masterRows,
    entries,
    tables,
    autoincrement: listed.has("sqlite_sequence"),
    bytes: Number((master?.meta as { size_after?: number } | undefined)?.size_after ?? 0),
  };
}

function tableShape(name: string, listed: ListRow | undefined, columns: ColumnRow[]): TableShape {
  const virtual = listed?.type === "virtual";
  const keys = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  const [only] = keys;
  // A lone INTEGER PRIMARY KEY is the rowid itself; any other rowid table keeps its rowid, because something may
  // point at it (the catalog's search index is keyed by the products' rowids).
  const rowidIsKey = keys.length === 1 && only?.type.toUpperCase() === "INTEGER";
  const keepRowid = virtual || (listed?.wr !== 1 && !rowidIsKey);
  if (keepRowid && columns.some((c) => ROWID_NAMES.has(c.name.toLowerCase()))) {
    throw new Error(`table ${name} has a column named like its rowid: its rowid cannot be kept`);
  }
  return {
    name,
    virtual,
    columns: [...(keepRowid ? ["rowid"] : []), ...columns.map((c) => c.name)],
    keepRowid,
    orderBy: virtual || keys.length === 0 ? ["rowid"] : keys.map((k) => k.name),
  };
}

const column = (name: string): string => (name === "rowid" ? "rowid" : quoteIdent(name));

/** Every row of a table, by primary key (rowid where there is none). */
export const selectRows = (db: SqlDb, table: TableShape): SqlStatement =>
  db.prepare(
    `SELECT ${table.columns.map(column).join(", ")} FROM ${quoteIdent(table.name)} ORDER BY ${table.orderBy.map(column).join(", ")}`,
  );

export const selectSequences = (db: SqlDb): SqlStatement => db.prepare(SEQUENCES);

/**
 * Every table of the database as of one moment. D1 runs a batch as one transaction, so all the reads see the same
 * committed state, whatever writes arrive meanwhile. The schema is read again inside the batch: if a migration
 * ran between reading it and reading the rows, the snapshot is taken again. A database larger than `maxBytes` on
 * disk is refused before any row is read: all of it would be held in memory at once.
 */
export async function takeSnapshot(db: SqlDb, maxBytes = Number.POSITIVE_INFINITY, attempts = 3): Promise<Snapshot> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const schema = await readSchema(db);
    if (schema.bytes > maxBytes) {
      throw new Error(`the database is ${schema.bytes} bytes, more than the ${maxBytes} a snapshot in one Worker may read`);
    }
    const results = await db.batch([
      db.prepare(MASTER),
      ...(schema.autoincrement ? [selectSequences(db)] : []),
      ...schema.tables.map((t) => selectRows(db, t)),
    ]);
    const [master, ...rest] = results;
    if (JSON.stringify(master?.results) !== JSON.stringify(schema.master)) continue;
    const sequences = schema.autoincrement ? ((rest.shift()?.results ?? []) as Row[]) : [];
    const rows = new Map(schema.tables.map((t, i) => [t.name, (rest[i]?.results ?? []) as Row[]]));
    return { schema, rows, sequences };
  }
  throw new Error(`the schema changed during each of ${attempts} attempts to read the database`);
}
