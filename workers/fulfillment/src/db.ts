import { getTableColumns, type InferInsertModel, type SQL, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Change } from "#shared/d1.ts";
import type { OutboxRow } from "#shared/outbox.ts";
import * as tables from "../db/tables.ts";
import { outbox } from "../db/tables.ts";

export type FulfillmentDb = DrizzleD1Database<typeof tables>;
export type ShipmentRow = typeof tables.shipments.$inferSelect;
export type ReturnRow = typeof tables.returns.$inferSelect;
export type InvoiceRow = typeof tables.invoices.$inferSelect;
export type PaidOrderRow = typeof tables.paidOrders.$inferSelect;

export const fulfillmentDb = (d1: D1Database): FulfillmentDb => drizzle(d1, { schema: tables });

/** Queues an event (its id is fixed by what it announces, so writing it again changes nothing). */
export const queueEvent = (db: FulfillmentDb, event: OutboxRow): Change => db.insert(outbox).values(event).onConflictDoNothing();

/**
 * Inserts `row` only if `guard` holds when the write runs (in a batch, after what it depends on): the builder
 * has no INSERT … VALUES … WHERE, so the row is an INSERT … SELECT of its values, in the table's column order.
 */
export function insertIf<T extends SQLiteTable>(db: FulfillmentDb, table: T, row: InferInsertModel<T>, guard: SQL) {
  const values: Record<string, unknown> = row;
  const selected = Object.entries(getTableColumns(table)).map(([key, column]) => sql.param(values[key] ?? null, column));
  return db.insert(table).select(sql`SELECT ${sql.join(selected, sql`, `)} WHERE ${guard}`);
}

/** Queues an event only if `guard` holds when it is written, in the batch of the change it announces. */
export const queueEventIf = (db: FulfillmentDb, event: OutboxRow, guard: SQL): Change =>
  insertIf(db, outbox, event, guard).onConflictDoNothing();

/** The guard of a write that follows an UPDATE in one batch: that UPDATE changed exactly one row. */
export const changedOne: SQL = sql`changes() = 1`;
