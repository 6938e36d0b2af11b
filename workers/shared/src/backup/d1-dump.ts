import { sha256Hex } from "../crypto.ts";
import type { SchemaEntry, Snapshot, TableShape } from "./d1-snapshot.ts";
import { type Row, rowsChecksum } from "./fingerprint.ts";
import { type CellValue, oneLine, quoteIdent, sqlLiteral } from "./sql-text.ts";

export type TableSum = { name: string; rows: number; sha256: string };

export type Dump = {
  /** One statement a line, in an order that restores into an empty database. */
  statements: string[];
  /** Rows and checksum per table (virtual tables and sqlite_sequence included), in statement order. */
  tables: TableSum[];
  /** Checksum of the schema statements, sorted: what a restored database's schema must read back as. */
  schemaSha256: string;
};

/** sqlite_sequence (AUTOINCREMENT's high-water marks) is checked like a table under this name. */
export const SEQUENCE_TABLE = "sqlite_sequence";
export const SEQUENCE_COLUMNS = ["name", "seq"] as const;

// Many rows per INSERT keep a restore quick, each statement well under D1's 100 KB statement limit.
const ROWS_PER_INSERT = 100;
const BYTES_PER_INSERT = 60_000;

function inserts(table: TableShape, rows: readonly Row[]): string[] {
  const head = `INSERT INTO ${quoteIdent(table.name)} (${table.columns.map((c) => (c === "rowid" ? c : quoteIdent(c))).join(", ")}) VALUES `;
  const out: string[] = [];
  let values: string[] = [];
  let size = 0;
  const flush = () => {
    if (values.length > 0) out.push(`${head}${values.join(", ")};`);
    values = [];
    size = 0;
  };
  for (const row of rows) {
    const tuple = `(${table.columns.map((c) => sqlLiteral(row[c] as CellValue)).join(", ")})`;
    if (values.length >= ROWS_PER_INSERT || (values.length > 0 && size + tuple.length > BYTES_PER_INSERT)) flush();
    values.push(tuple);
    size += tuple.length;
  }
  flush();
  return out;
}

/** The schema statements of a database, as a restore writes them and as its checksum reads them. */
export const schemaStatement = (entry: SchemaEntry): string => `${oneLine(entry.sql)};`;

export async function schemaChecksum(entries: readonly SchemaEntry[]): Promise<string> {
  return sha256Hex(entries.map(schemaStatement).sort().join("\n"));
}

/**
 * A snapshot as SQL that rebuilds it in an empty database: tables, their rows, AUTOINCREMENT's counters, virtual
 * tables (FTS5) and their rows, then indexes, views and triggers. Triggers come last so that restoring a row
 * fires nothing (the search index is restored as it was, not rebuilt twice); foreign keys are checked at the end.
 */
export async function dumpSnapshot(snapshot: Snapshot): Promise<Dump> {
  const { schema, rows, sequences } = snapshot;
  const shapes = new Map(schema.tables.map((t) => [t.name, t]));
  const statements = ["PRAGMA defer_foreign_keys = on;"];
  const tables: TableSum[] = [];
  const dataOf = async (shape: TableShape) => {
    const data = rows.get(shape.name) ?? [];
    statements.push(...inserts(shape, data));
    tables.push({ name: shape.name, rows: data.length, sha256: await rowsChecksum(shape.columns, data) });
  };

  const plain = schema.entries.filter((e) => e.type === "table" && shapes.get(e.name)?.virtual === false);
  const virtual = schema.entries.filter((e) => e.type === "table" && shapes.get(e.name)?.virtual === true);
  for (const entry of plain) statements.push(schemaStatement(entry));
  for (const entry of plain) await dataOf(shapes.get(entry.name) as TableShape);
  if (schema.autoincrement) {
    for (const s of sequences) {
      statements.push(`DELETE FROM ${SEQUENCE_TABLE} WHERE name = ${sqlLiteral(s.name as CellValue)};`);
      statements.push(
        `INSERT INTO ${SEQUENCE_TABLE} (name, seq) VALUES (${sqlLiteral(s.name as CellValue)}, ${sqlLiteral(s.seq as CellValue)});`,
      );
    }
    tables.push({ name: SEQUENCE_TABLE, rows: sequences.length, sha256: await rowsChecksum(SEQUENCE_COLUMNS, sequences) });
  }
  for (const entry of virtual) {
    statements.push(schemaStatement(entry));
    await dataOf(shapes.get(entry.name) as TableShape);
  }
  for (const entry of schema.entries.filter((e) => e.type !== "table")) statements.push(schemaStatement(entry));
  return { statements, tables, schemaSha256: await schemaChecksum(schema.entries) };
}
