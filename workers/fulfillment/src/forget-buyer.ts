import { EVENT_TYPES } from "#schema/events.ts";
import { commitEffects, d1Db } from "#shared/d1.ts";
import { ERASED_EMAIL, rememberErased, scrubOutbox } from "#shared/erasure.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
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
  db: D1Database,
  documents: R2Bucket,
): Pick<EventHandlers<"ORDER_EVENTS">, typeof EVENT_TYPES.userErased> => ({
  [EVENT_TYPES.userErased]: async ({ data: { userId } }) => {
    const { results } = await db.prepare("SELECT order_id FROM paid_orders WHERE user_id = ?").bind(userId).all<{ order_id: string }>();
    const orderIds = results.map((r) => r.order_id);
    await commitEffects(db, [
      rememberErased(d1Db(db), userId),
      db.prepare("UPDATE paid_orders SET email = ? WHERE user_id = ?").bind(ERASED_EMAIL, userId),
      scrubOutbox(d1Db(db), orderIds),
    ]);
    for (const orderId of orderIds) await rewriteInvoices(db, documents, orderId);
    return [];
  },
});

/**
 * What keeps a late event from bringing an erased buyer back: run in the same transaction that keeps a paid
 * order, these anonymise it (and the events it queued) if its account was erased meanwhile.
 */
export const forgetIfErased = (db: D1Database, orderId: string): D1PreparedStatement[] => [
  db
    .prepare("UPDATE paid_orders SET email = ? WHERE order_id = ? AND user_id IN (SELECT user_id FROM erased_users)")
    .bind(ERASED_EMAIL, orderId),
  db
    .prepare(
      `UPDATE outbox SET body = json_set(body, '$.data.email', ?1)
       WHERE json_extract(body, '$.data.orderId') = ?2 AND EXISTS (SELECT 1 FROM paid_orders WHERE order_id = ?2 AND email = ?1)`,
    )
    .bind(ERASED_EMAIL, orderId),
];
