import { and, eq, exists, inArray } from "drizzle-orm";
import { EVENT_TYPES } from "#schema/events.ts";
import { type Change, commit } from "#shared/d1.ts";
import { ERASED_EMAIL, rememberErased, scrubOutbox } from "#shared/erasure.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import { erasedUsers, paidOrders } from "../db/tables.ts";
import type { FulfillmentDb } from "./db.ts";
import { rewriteInvoices } from "./invoices.ts";

/**
 * identity.user_erased → the account's paid orders keep their parts, lines and amounts (returns and refunds
 * still need them) and lose the email; so do their events still in the outbox, and every later event of
 * theirs (shipment.*, return.*, refund.*), which takes the email from here. The invoice documents are written
 * again from the anonymous order: same number, same amounts, nobody billed by name.
 *
 * The database changes first (they change nothing the second time), then the documents: a crash in between is
 * redelivered and finishes the documents. The account is remembered, so a payment of theirs that arrives
 * after this is anonymised as it is kept (onOrderPaid).
 */
export const forgetBuyerHandlers = (
  db: FulfillmentDb,
  documents: R2Bucket,
): Pick<EventHandlers<"ORDER_EVENTS">, typeof EVENT_TYPES.userErased> => ({
  [EVENT_TYPES.userErased]: async ({ data: { userId } }) => {
    const theirs = await db.select({ orderId: paidOrders.orderId }).from(paidOrders).where(eq(paidOrders.userId, userId));
    const orderIds = theirs.map((r) => r.orderId);
    await commit(db, [
      rememberErased(db, userId),
      db.update(paidOrders).set({ email: ERASED_EMAIL }).where(eq(paidOrders.userId, userId)),
      scrubOutbox(db, orderIds),
    ]);
    for (const orderId of orderIds) await rewriteInvoices(db, documents, orderId);
    return [];
  },
});

/**
 * What keeps a late event from bringing an erased buyer back: run in the same transaction that keeps a paid
 * order, these anonymise it (and the events it queued) if its account was erased meanwhile.
 */
export const forgetIfErased = (db: FulfillmentDb, orderId: string): Change[] => [
  db
    .update(paidOrders)
    .set({ email: ERASED_EMAIL })
    .where(and(eq(paidOrders.orderId, orderId), inArray(paidOrders.userId, db.select({ userId: erasedUsers.userId }).from(erasedUsers)))),
  scrubOutbox(
    db,
    [orderId],
    exists(
      db
        .select({ orderId: paidOrders.orderId })
        .from(paidOrders)
        .where(and(eq(paidOrders.orderId, orderId), eq(paidOrders.email, ERASED_EMAIL))),
    ),
  ),
];
