import { EVENT_TYPES, type RefundCompleted, type ReturnChanged, type ReturnStatus } from "#schema/events.ts";
import type { ReturnBody, ReturnView } from "#schema/fulfillment/dto.ts";
import { type OutboxRow, outboxRow } from "#shared/outbox.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { loadPaidOrder, type PaidOrder } from "./paid-orders.ts";
import { refundShare } from "./refund-share.ts";
import { type ShipmentRow, shipmentsOf } from "./shipments.ts";

export type ReturnRow = {
  id: string;
  order_id: string;
  merchant_id: string;
  status: ReturnStatus;
  reason: string;
  refund_amount: number | null;
  currency: string;
  refund_id: string | null;
  created_at: number;
  updated_at: number;
};
type LineRow = { return_id: string; sku: string; quantity: number };

const DAY_MS = 86_400_000;

export async function returnViews(db: D1Database, rows: ReturnRow[]): Promise<ReturnView[]> {
  if (rows.length === 0) return [];
  const marks = rows.map(() => "?").join(", ");
  const { results: lines } = await db
    .prepare(`SELECT return_id, sku, quantity FROM return_lines WHERE return_id IN (${marks}) ORDER BY sku`)
    .bind(...rows.map((r) => r.id))
    .all<LineRow>();
  return rows.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    merchantId: r.merchant_id,
    status: r.status,
    reason: r.reason,
    items: lines.filter((l) => l.return_id === r.id).map((l) => ({ sku: l.sku, quantity: l.quantity })),
    refund: r.refund_amount === null ? null : { amount: r.refund_amount, currency: r.currency },
    refundId: r.refund_id,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}

export async function findReturn(db: D1Database, returnId: string, merchantId: string | null): Promise<ReturnRow | null> {
  const row = await db.prepare("SELECT * FROM returns WHERE id = ?").bind(returnId).first<ReturnRow>();
  return row === null || (merchantId !== null && row.merchant_id !== merchantId) ? null : row;
}

export async function returnsOf(db: D1Database, merchantId: string | null, status?: ReturnStatus): Promise<ReturnRow[]> {
  const where = [merchantId === null ? "1 = 1" : "merchant_id = ?", status === undefined ? "1 = 1" : "status = ?"];
  const args = [...(merchantId === null ? [] : [merchantId]), ...(status === undefined ? [] : [status])];
  const { results } = await db
    .prepare(`SELECT * FROM returns WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id LIMIT 200`)
    .bind(...args)
    .all<ReturnRow>();
  return results;
}

/** The event announcing a return's status; its id is fixed per return and status, so a retried move sends one. */
export async function returnEvent(db: D1Database, row: ReturnRow, order?: PaidOrder | null, requestId?: string): Promise<OutboxRow> {
  const [view] = await returnViews(db, [row]);
  const email = (order === undefined ? await loadPaidOrder(db, row.order_id) : order)?.email ?? "";
  const data: ReturnChanged = {
    returnId: row.id,
    orderId: row.order_id,
    merchantId: row.merchant_id,
    email,
    status: row.status,
    items: view?.items ?? [],
  };
  if (row.status === "refunded") {
    const refund: RefundCompleted = { ...data, refundId: row.refund_id ?? "", amount: row.refund_amount ?? 0, currency: row.currency };
    return outboxRow(EVENT_TYPES.refundCompleted, refund, requestId, `${row.id}:refunded`);
  }
  const type =
    row.status === "requested"
      ? EVENT_TYPES.returnRequested
      : row.status === "approved"
        ? EVENT_TYPES.returnApproved
        : EVENT_TYPES.returnReceived;
  return outboxRow(type, data, requestId, `${row.id}:${row.status}`);
}

type Wanted = { sku: string; quantity: number; prior: number; refund: number };

/**
 * A buyer asks to return delivered lines (the caller has checked the order is theirs). One return per merchant
 * whose lines come back, each with its refund computed now: the lines' exact share of price and tax. Refused
 * (409) for lines not delivered, outside the window, or beyond what is left to return. Concurrent requests for
 * the same lines cannot both pass: each return is written only if the returned counts it was computed from are
 * still true, and a request that loses that race is undone whole.
 */
export async function requestReturn(
  db: D1Database,
  orderId: string,
  body: ReturnBody,
  windowDays: number,
  requestId?: string,
): Promise<Result<ReturnView[]>> {
  const order = await loadPaidOrder(db, orderId);
  if (order === null) return fail(409, `nothing of order ${orderId} has been delivered yet`);
  const asked = new Map<string, number>();
  for (const line of body.lines) asked.set(line.sku, (asked.get(line.sku) ?? 0) + line.quantity);
  const shipments = new Map((await shipmentsOf(db, { orderId })).map((s) => [s.merchant_id, s] as const));
  const { results: priorRows } = await db
    .prepare(
      `SELECT rl.sku AS sku, SUM(rl.quantity) AS quantity FROM return_lines rl JOIN returns r ON r.id = rl.return_id
        WHERE rl.order_id = ? AND r.status <> 'rejected' GROUP BY rl.sku`,
    )
    .bind(orderId)
    .all<{ sku: string; quantity: number }>();
  const prior = new Map(priorRows.map((r) => [r.sku, r.quantity] as const));

  const byMerchant = new Map<string, Wanted[]>();
  const now = Date.now();
  for (const [sku, quantity] of asked) {
    const part = order.parts.find((p) => p.lines.some((l) => l.sku === sku));
    const line = part?.lines.find((l) => l.sku === sku);
    if (part === undefined || line === undefined) return fail(400, `SKU ${sku} is not in order ${orderId}`, "lines");
    const shipment: ShipmentRow | undefined = shipments.get(part.merchantId);
    const deliveredAt = shipment?.status === "delivered" ? shipment.delivered_at : null;
    // A warranty is delivered with the product it covers.
    if (deliveredAt === null) return fail(409, `SKU ${sku} has not been delivered yet: only delivered lines can be returned`, "lines");
    if (now > deliveredAt + windowDays * DAY_MS) {
      const closed = new Date(deliveredAt + windowDays * DAY_MS).toISOString().slice(0, 10);
      return fail(409, `the ${windowDays}-day return window for SKU ${sku} closed on ${closed}`, "lines");
    }
    const before = prior.get(sku) ?? 0;
    if (before + quantity > line.quantity) {
      return fail(
        409,
        `SKU ${sku}: ${line.quantity} delivered, ${before} returned already, so at most ${line.quantity - before} can be returned`,
        "lines",
      );
    }
    const wanted = byMerchant.get(part.merchantId) ?? [];
    wanted.push({ sku, quantity, prior: before, refund: refundShare(line, before, quantity) });
    byMerchant.set(part.merchantId, wanted);
  }

  const rows: ReturnRow[] = [...byMerchant.entries()].map(([merchantId, lines]) => ({
    id: `rma_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`,
    order_id: orderId,
    merchant_id: merchantId,
    status: "requested",
    reason: body.reason,
    refund_amount: lines.reduce((sum, l) => sum + l.refund, 0),
    currency: order.currency,
    refund_id: null,
    created_at: now,
    updated_at: now,
  }));
  const statements: D1PreparedStatement[] = [];
  for (const row of rows) {
    const lines = byMerchant.get(row.merchant_id) ?? [];
    const json = JSON.stringify(lines);
    const event = outboxRow(
      EVENT_TYPES.returnRequested,
      {
        returnId: row.id,
        orderId,
        merchantId: row.merchant_id,
        email: order.email,
        status: "requested",
        items: lines.map(({ sku, quantity }) => ({ sku, quantity })),
      },
      requestId,
      `${row.id}:requested`,
    );
    statements.push(
      db
        .prepare(
          `INSERT INTO returns (id, order_id, merchant_id, status, reason, refund_amount, currency, refund_id, created_at, updated_at)
             SELECT ?, ?, ?, 'requested', ?, ?, ?, NULL, ?, ?
             WHERE NOT EXISTS (SELECT 1 FROM json_each(?) w WHERE json_extract(w.value, '$.prior') <>
               (SELECT COALESCE(SUM(rl.quantity), 0) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
                 WHERE rl.order_id = ? AND rl.sku = json_extract(w.value, '$.sku') AND r.status <> 'rejected'))`,
        )
        .bind(row.id, orderId, row.merchant_id, row.reason, row.refund_amount, row.currency, now, now, json, orderId),
      db
        .prepare(
          `INSERT INTO return_lines (return_id, order_id, sku, quantity)
             SELECT ?, ?, json_extract(value, '$.sku'), json_extract(value, '$.quantity') FROM json_each(?)
             WHERE EXISTS (SELECT 1 FROM returns WHERE id = ?)`,
        )
        .bind(row.id, orderId, json, row.id),
      db
        .prepare("INSERT OR IGNORE INTO outbox (id, body, created_at) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM returns WHERE id = ?)")
        .bind(event.id, event.body, event.createdAt, row.id),
    );
  }
  await db.batch(statements);
  const ids = rows.map((r) => r.id);
  const marks = ids.map(() => "?").join(", ");
  const written = await db
    .prepare(`SELECT * FROM returns WHERE id IN (${marks}) ORDER BY merchant_id`)
    .bind(...ids)
    .all<ReturnRow>();
  if (written.results.length === rows.length) return ok(await returnViews(db, written.results));
  // Another request for some of these lines came first: undo whatever of this one was written.
  await db.batch(
    ids.flatMap((id) => [
      db.prepare("DELETE FROM outbox WHERE id = ?").bind(`${id}:requested`),
      db.prepare("DELETE FROM return_lines WHERE return_id = ?").bind(id),
      db.prepare("DELETE FROM returns WHERE id = ?").bind(id),
    ]),
  );
  return fail(409, "another return of these lines was requested at the same moment; look at the order and ask again if anything is left");
}

/**
 * Moves a return from `from` to `to` (with a refund id once refunded) and queues its event, in one transaction
 * guarded by the status it had. A return already at `to` is a repeat.
 */
export async function moveReturn(
  db: D1Database,
  row: ReturnRow,
  from: ReturnStatus,
  to: ReturnStatus,
  refundId?: string,
  requestId?: string,
): Promise<Result<ReturnRow>> {
  if (row.status === to) return ok(row);
  if (row.status !== from) return fail(409, `return ${row.id} is ${row.status}: it cannot become ${to}`, undefined, { status: row.status });
  const now = Date.now();
  const next: ReturnRow = { ...row, status: to, refund_id: refundId ?? row.refund_id, updated_at: now };
  const event = await returnEvent(db, next, undefined, requestId);
  const [update] = await db.batch([
    db
      .prepare("UPDATE returns SET status = ?, refund_id = ?, updated_at = ? WHERE id = ? AND status = ?")
      .bind(to, next.refund_id, now, row.id, from),
    db
      .prepare("INSERT OR IGNORE INTO outbox (id, body, created_at) SELECT ?, ?, ? WHERE changes() = 1")
      .bind(event.id, event.body, event.createdAt),
  ]);
  if ((update?.meta.changes ?? 0) === 1) return ok(next);
  const now2 = await findReturn(db, row.id, null);
  return now2?.status === to ? ok(now2) : fail(409, `return ${row.id} changed meanwhile; it is ${now2?.status ?? "gone"}`);
}
