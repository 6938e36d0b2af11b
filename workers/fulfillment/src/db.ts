import type { SQL } from "drizzle-orm";
import { type Change, type D1Db, d1Db, insertIf } from "#shared/d1.ts";
import type { OutboxRow } from "#shared/outbox.ts";
import type * as tables from "../db/tables.ts";
import { outbox } from "../db/tables.ts";

export type FulfillmentDb = D1Db;
export type ShipmentRow = typeof tables.shipments.$inferSelect;
export type ReturnRow = typeof tables.returns.$inferSelect;
export type InvoiceRow = typeof tables.invoices.$inferSelect;
export type PaidOrderRow = typeof tables.paidOrders.$inferSelect;

export const fulfillmentDb = (d1: D1Database): FulfillmentDb => d1Db(d1);

/** Queues an event (its id is fixed by what it announces, so writing it again changes nothing). */
export const queueEvent = (db: FulfillmentDb, event: OutboxRow): Change => db.insert(outbox).values(event).onConflictDoNothing();

/** Queues an event only if `guard` holds when it is written, in the batch of the change it announces. */
export const queueEventIf = (db: FulfillmentDb, event: OutboxRow, guard: SQL): Change =>
  insertIf(db, outbox, event, guard).onConflictDoNothing();
