import { and, eq, exists } from "drizzle-orm";
import type { OrderStatus } from "#schema/orders/dto.ts";
import { changedOne, insertIf } from "#shared/d1.ts";
import type { Logger } from "#shared/logger.ts";
import type { OutboxRow } from "#shared/outbox.ts";
import { orders, orderTransitions, outbox } from "../db/tables.ts";
import type { OrdersDb } from "./db.ts";

/**
 * The order state machine, as one table: the statuses an order may move to from each status. Any other move
 * is refused (and logged), so no code path can, say, mark a failed payment paid or ship a cancelled order.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending_payment: ["paid", "payment_failed", "cancelled"],
  paid: ["fulfilling", "shipped", "cancelled", "refunded"],
  fulfilling: ["shipped", "cancelled"],
  shipped: ["delivered"],
  delivered: ["return_requested"],
  return_requested: ["returned", "delivered"],
  returned: ["refunded"],
  payment_failed: [],
  cancelled: [],
  // A partial return refunded; the buyer may still return what is left (within the window).
  refunded: ["return_requested"],
};

export const canMove = (from: OrderStatus, to: OrderStatus): boolean => TRANSITIONS[from].includes(to);

export type TransitionResult = { ok: true; from: OrderStatus; repeated: boolean } | { ok: false; from: OrderStatus | null };

/**
 * Moves an order from its current status to `to` and queues `events` in the same D1 transaction: the status
 * changes only if it is still what was read (a concurrent move makes this one a no-op), and the transition
 * row and the events are written only if it did. Asking for the status the order already has is a repeat,
 * not an error, so a retried step is harmless.
 */
export async function moveOrder(
  db: OrdersDb,
  log: Logger,
  orderId: string,
  to: OrderStatus,
  reason: string,
  events: OutboxRow[] = [],
): Promise<TransitionResult> {
  const current = await statusOf(db, orderId);
  if (current === undefined) {
    log.warn("order transition refused: no such order", { orderId, to, reason });
    return { ok: false, from: null };
  }
  if (current === to) return { ok: true, from: to, repeated: true };
  if (!canMove(current, to)) {
    log.warn("order transition refused", { orderId, from: current, to, reason });
    return { ok: false, from: current };
  }
  const now = Date.now();
  const transitionId = crypto.randomUUID();
  const [, transition] = await db.batch([
    db
      .update(orders)
      .set({ status: to, updatedAt: now })
      .where(and(eq(orders.id, orderId), eq(orders.status, current))),
    // changes() is the UPDATE's row count: the history row exists only if the move happened.
    insertIf(db, orderTransitions, { id: transitionId, orderId, fromStatus: current, toStatus: to, reason, at: now }, changedOne),
    ...events.map((e) =>
      insertIf(
        db,
        outbox,
        e,
        exists(db.select({ id: orderTransitions.id }).from(orderTransitions).where(eq(orderTransitions.id, transitionId))),
      ).onConflictDoNothing(),
    ),
  ]);
  if (transition.meta.changes === 1) return { ok: true, from: current, repeated: false };
  // Someone moved it first: report what it is now.
  const now2 = await statusOf(db, orderId);
  if (now2 === to) return { ok: true, from: to, repeated: true };
  log.warn("order transition lost a race", { orderId, from: current, to, now: now2, reason });
  return { ok: false, from: now2 ?? null };
}

const statusOf = async (db: OrdersDb, orderId: string): Promise<OrderStatus | undefined> =>
  (await db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId)).limit(1))[0]?.status;
