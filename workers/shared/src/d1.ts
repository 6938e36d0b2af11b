import { type Column, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

// The one way a Worker reads and writes its D1 database: drizzle over the binding, with the tables in the
// Worker's own db/tables.ts. Writes that must commit together are `Change`s run as one D1 batch (one transaction).

/** A drizzle database over any Worker's D1 binding (shared code names only the tables it owns itself). */
export type D1Db = DrizzleD1Database<Record<string, unknown>>;

/** One write of a batch: a drizzle query, not yet run. */
export type Change = BatchItem<"sqlite">;

/**
 * Drizzle over a D1 binding: every Worker's database (its `src/db.ts` names it) and shared code's. No relational
 * schema is given: nothing uses drizzle's `db.query` API, and a schema costs a walk over all the tables each time
 * one of these is made, which is per request.
 */
export const d1Db = (d1: D1Database): D1Db => drizzle(d1);

/** Runs `changes` as one transaction (D1 runs a batch atomically); nothing to run is not an error. */
export async function commit(db: Pick<D1Db, "batch">, changes: readonly Change[]): Promise<void> {
  const [first, ...rest] = changes;
  if (first === undefined) return;
  await db.batch([first, ...rest]);
}

/**
 * `INSERT … SELECT <row> WHERE <guard>`: the row is written only if `guard` holds when the statement runs (in a
 * batch, after the statements before it). Drizzle inserts from a SELECT, but has no SELECT without FROM.
 */
export function insertIf<T extends SQLiteTable, S extends Record<string, unknown>>(
  db: DrizzleD1Database<S>,
  table: T,
  row: T["$inferInsert"],
  guard: SQL,
) {
  const values: Record<string, unknown> = row;
  const selected = Object.entries(getTableColumns(table)).map(([field, column]) => sql.param(values[field] ?? null, column));
  return db.insert(table).select(sql`SELECT ${sql.join(selected, sql`, `)} WHERE ${guard}`);
}

/** The guard of a write that follows an UPDATE in one batch: that UPDATE changed exactly one row. */
export const changedOne: SQL = sql`changes() = 1`;

/** The value an upsert's conflicting insert proposed for `column` (SQLite's `excluded.<column>`). */
export const excluded = (column: Column): SQL => sql`excluded.${sql.identifier(column.name)}`;

/**
 * `expression IN (values)` with the values as one bound parameter (a JSON array read by json_each): D1 binds at
 * most 100 parameters per statement, which a page of 200 orders' ids or 100 slugs and a date would pass. Local
 * D1 does not enforce that limit, so only this keeps a long list from failing in production alone.
 */
export const inList = (expression: Column | SQL, values: readonly (string | number)[]): SQL =>
  sql`${expression} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
