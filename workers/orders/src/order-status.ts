import type { OrderStatus } from "#schema/orders/dto.ts";
import type { Logger } from "#shared/logger.ts";
import type { OutboxRow } from "#shared/outbox.ts";

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
  db: D1Database,
  log: Logger,
  orderId: string,
  to: OrderStatus,
  reason: string,
  events: OutboxRow[] = [],
): Promise<TransitionResult> {
  const current = await db.prepare("SELECT status FROM orders WHERE id = ?").bind(orderId).first<{ status: OrderStatus }>();
  if (current === null) {
    log.warn("order transition refused: no such order", { orderId, to, reason });
    return { ok: false, from: null };
  }
  if (current.status === to) return { ok: true, from: to, repeated: true };
  if (!canMove(current.status, to)) {
    log.warn("order transition refused", { orderId, from: current.status, to, reason });
    return { ok: false, from: current.status };
  }
  const now = Date.now();
  const transitionId = crypto.randomUUID();
  const results = await db.batch([
    db.prepare("UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?").bind(to, now, orderId, current.status),
    // changes() is the UPDATE's row count: the history row exists only if the move happened.
    db
      .prepare(
        "INSERT INTO order_transitions (id, order_id, from_status, to_status, reason, at) SELECT ?, ?, ?, ?, ?, ? WHERE changes() = 1",
      )
      .bind(transitionId, orderId, current.status, to, reason, now),
    ...events.map((e) =>
      db
        .prepare(
          "INSERT OR IGNORE INTO outbox (id, body, created_at) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM order_transitions WHERE id = ?)",
        )
        .bind(e.id, e.body, e.createdAt, transitionId),
    ),
  ]);
  if ((results[1]?.meta.changes ?? 0) === 1) return { ok: true, from: current.status, repeated: false };
  // Someone moved it first: report what it is now.
  const now2 = await db.prepare("SELECT status FROM orders WHERE id = ?").bind(orderId).first<{ status: OrderStatus }>();
  if (now2?.status === to) return { ok: true, from: to, repeated: true };
  log.warn("order transition lost a race", { orderId, from: current.status, to, now: now2?.status, reason });
  return { ok: false, from: now2?.status ?? null };
}
