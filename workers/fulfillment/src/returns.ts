import { and, desc, eq, exists, ne, sql } from "drizzle-orm";
import { EVENT_TYPES, type RefundCompleted, type ReturnChanged, type ReturnStatus } from "#schema/events.ts";
import type { ReturnBody, ReturnView } from "#schema/fulfillment/dto.ts";
import { type Change, changedOne, commit, inList, insertIf } from "#shared/d1.ts";
import { type OutboxRow, outboxRow } from "#shared/outbox.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { outbox, returnLines, returns } from "../db/tables.ts";
import { type FulfillmentDb, queueEventIf, type ReturnRow, type ShipmentRow } from "./db.ts";
import { loadPaidOrder, type PaidOrder } from "./paid-orders.ts";
import { refundShare } from "./refund-share.ts";
import { shipmentsOf } from "./shipments.ts";

export type { ReturnRow } from "./db.ts";

const DAY_MS = 86_400_000;

export async function returnViews(db: FulfillmentDb, rows: ReturnRow[]): Promise<ReturnView[]> {
  if (rows.length === 0) return [];
  const lines = await db
    .select({ returnId: returnLines.returnId, sku: returnLines.sku, quantity: returnLines.quantity })
    .from(returnLines)
    .where(
      inList(
        returnLines.returnId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(returnLines.sku);
  return rows.map((r) => ({
    id: r.id,
    orderId: r.orderId,
    merchantId: r.merchantId,
    status: r.status,
    reason: r.reason,
    items: lines.filter((l) => l.returnId === r.id).map((l) => ({ sku: l.sku, quantity: l.quantity })),
    refund: r.refundAmount === null ? null : { amount: r.refundAmount, currency: r.currency },
    refundId: r.refundId,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  }));
}

export async function findReturn(db: FulfillmentDb, returnId: string, merchantId: string | null): Promise<ReturnRow | null> {
  const [row] = await db.select().from(returns).where(eq(returns.id, returnId)).limit(1);
  return row === undefined || (merchantId !== null && row.merchantId !== merchantId) ? null : row;
}

export async function returnsOf(db: FulfillmentDb, merchantId: string | null, status?: ReturnStatus): Promise<ReturnRow[]> {
  return db
    .select()
    .from(returns)
    .where(
      and(
        merchantId === null ? undefined : eq(returns.merchantId, merchantId),
        status === undefined ? undefined : eq(returns.status, status),
      ),
    )
    .orderBy(desc(returns.createdAt), returns.id)
    .limit(200);
}

/** Units of each of the order's lines in its returns so far, rejected returns aside, by SKU. */
const returnedSoFar = (db: FulfillmentDb, orderId: string) =>
  db
    .select({ sku: returnLines.sku, quantity: sql<number>`SUM(${returnLines.quantity})`.as("quantity") })
    .from(returnLines)
    .innerJoin(returns, eq(returns.id, returnLines.returnId))
    .where(and(eq(returnLines.orderId, orderId), ne(returns.status, "rejected")))
    .groupBy(returnLines.sku);

/** The event announcing a return's status; its id is fixed per return and status, so a retried move sends one. */
export async function returnEvent(db: FulfillmentDb, row: ReturnRow, order?: PaidOrder | null, requestId?: string): Promise<OutboxRow> {
  const [view] = await returnViews(db, [row]);
  const email = (order === undefined ? await loadPaidOrder(db, row.orderId) : order)?.email ?? "";
  const data: ReturnChanged = {
    returnId: row.id,
    orderId: row.orderId,
    merchantId: row.merchantId,
    email,
    status: row.status,
    items: view?.items ?? [],
  };
  if (row.status === "refunded") {
    const refund: RefundCompleted = { ...data, refundId: row.refundId ?? "", amount: row.refundAmount ?? 0, currency: row.currency };
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
  db: FulfillmentDb,
  orderId: string,
  body: ReturnBody,
  windowDays: number,
  requestId?: string,
): Promise<Result<ReturnView[]>> {
  const order = await loadPaidOrder(db, orderId);
  if (order === null) return fail(409, `nothing of order ${orderId} has been delivered yet`);
  const asked = new Map<string, number>();
  for (const line of body.lines) asked.set(line.sku, (asked.get(line.sku) ?? 0) + line.quantity);
  const shipments = new Map((await shipmentsOf(db, { orderId })).map((s) => [s.merchantId, s] as const));
  const priorRows = await returnedSoFar(db, orderId);
  const prior = new Map(priorRows.map((r) => [r.sku, r.quantity] as const));

  const byMerchant = new Map<string, Wanted[]>();
  const now = Date.now();
  for (const [sku, quantity] of asked) {
    const part = order.parts.find((p) => p.lines.some((l) => l.sku === sku));
    const line = part?.lines.find((l) => l.sku === sku);
    if (part === undefined || line === undefined) return fail(400, `SKU ${sku} is not in order ${orderId}`, "lines");
    const shipment: ShipmentRow | undefined = shipments.get(part.merchantId);
    const deliveredAt = shipment?.status === "delivered" ? shipment.deliveredAt : null;
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
    orderId,
    merchantId,
    status: "requested",
    reason: body.reason,
    refundAmount: lines.reduce((sum, l) => sum + l.refund, 0),
    currency: order.currency,
    refundId: null,
    createdAt: now,
    updatedAt: now,
  }));
  const changes: Change[] = [];
  for (const row of rows) {
    const lines = byMerchant.get(row.merchantId) ?? [];
    const json = JSON.stringify(lines);
    const event = outboxRow(
      EVENT_TYPES.returnRequested,
      {
        returnId: row.id,
        orderId,
        merchantId: row.merchantId,
        email: order.email,
        status: "requested",
        items: lines.map(({ sku, quantity }) => ({ sku, quantity })),
      },
      requestId,
      `${row.id}:requested`,
    );
    // Written only if every line's returned count it was computed from (`prior`) is still true.
    const current = returnedSoFar(db, orderId).as("current");
    const unchanged = sql`NOT EXISTS (SELECT 1 FROM json_each(${json}) w LEFT JOIN ${current} ON ${current.sku} = json_extract(w.value, '$.sku')
      WHERE json_extract(w.value, '$.prior') <> COALESCE(${current.quantity}, 0))`;
    // The return's lines and event are written with it, or not at all.
    const kept = exists(db.select({ id: returns.id }).from(returns).where(eq(returns.id, row.id)));
    changes.push(
      insertIf(db, returns, row, unchanged),
      db
        .insert(returnLines)
        .select(
          sql`SELECT ${row.id}, ${orderId}, json_extract(value, '$.sku'), json_extract(value, '$.quantity') FROM json_each(${json}) WHERE ${kept}`,
        ),
      queueEventIf(db, event, kept),
    );
  }
  await commit(db, changes);
  const ids = rows.map((r) => r.id);
  const written = await db.select().from(returns).where(inList(returns.id, ids)).orderBy(returns.merchantId);
  if (written.length === rows.length) return ok(await returnViews(db, written));
  // Another request for some of these lines came first: undo whatever of this one was written.
  await commit(
    db,
    ids.flatMap((id) => [
      db.delete(outbox).where(eq(outbox.id, `${id}:requested`)),
      db.delete(returnLines).where(eq(returnLines.returnId, id)),
      db.delete(returns).where(eq(returns.id, id)),
    ]),
  );
  return fail(409, "another return of these lines was requested at the same moment; look at the order and ask again if anything is left");
}

/**
 * Moves a return from `from` to `to` (with a refund id once refunded) and queues its event, in one transaction
 * guarded by the status it had. A return already at `to` is a repeat.
 */
export async function moveReturn(
  db: FulfillmentDb,
  row: ReturnRow,
  from: ReturnStatus,
  to: ReturnStatus,
  refundId?: string,
  requestId?: string,
): Promise<Result<ReturnRow>> {
  if (row.status === to) return ok(row);
  if (row.status !== from) return fail(409, `return ${row.id} is ${row.status}: it cannot become ${to}`, undefined, { status: row.status });
  const moved = { status: to, refundId: refundId ?? row.refundId, updatedAt: Date.now() };
  const next: ReturnRow = { ...row, ...moved };
  const event = await returnEvent(db, next, undefined, requestId);
  const [update] = await db.batch([
    db
      .update(returns)
      .set(moved)
      .where(and(eq(returns.id, row.id), eq(returns.status, from)))
      .returning({ id: returns.id }),
    queueEventIf(db, event, changedOne),
  ]);
  if (update.length === 1) return ok(next);
  const now2 = await findReturn(db, row.id, null);
  return now2?.status === to ? ok(now2) : fail(409, `return ${row.id} changed meanwhile; it is ${now2?.status ?? "gone"}`);
}
