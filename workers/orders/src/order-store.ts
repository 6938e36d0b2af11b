import { and, asc, desc, eq, exists, lt } from "drizzle-orm";
import type { OrderSummary } from "#schema/events.ts";
import type { OrderLineView, OrderStatus, OrderView, PaymentSummary, ShippingAddress } from "#schema/orders/dto.ts";
import { inList, insertIf } from "#shared/d1.ts";
import type { OutboxRow } from "#shared/outbox.ts";
import { orderLines, orderParts, orderShipments, orders, orderTransitions, outbox } from "../db/tables.ts";
import { type LineRow, type OrderRow, type OrdersDb, orderColumns } from "./db.ts";

// Reads and writes of the `orders` database (one owner: this Worker). Amounts are integer minor units in the
// order's currency; the API's Money objects are made only when an order is shown.

export type LineRecord = {
  kind: "product" | "warranty";
  sku: string;
  productSlug: string;
  title: string;
  quantity: number;
  unitPrice: number;
  lineTotal: number;
  tax: number;
  coversSku?: string | undefined;
  planId?: string | undefined;
  years?: number | undefined;
};
export type PartRecord = {
  merchantId: string;
  subtotal: number;
  shipping: number;
  shippingTax: number;
  tax: number;
  total: number;
  lines: LineRecord[];
};
export type OrderRecord = {
  id: string;
  userId: string | null;
  tokenHash: string | null;
  email: string;
  currency: string;
  subtotal: number;
  shipping: number;
  tax: number;
  total: number;
  shippingAddress: ShippingAddress;
  payment: PaymentSummary;
  cartId: string;
  /** The Checkout object's id (erasure reaches the request it keeps through it). */
  checkoutId?: string | null | undefined;
  createdAt: number;
  parts: PartRecord[];
};

/** What events carry about an order (no address, no payment details). */
export function orderSummary(o: OrderRecord): OrderSummary {
  return {
    orderId: o.id,
    userId: o.userId,
    email: o.email,
    currency: o.currency,
    subtotal: o.subtotal,
    shipping: o.shipping,
    tax: o.tax,
    total: o.total,
    parts: o.parts.map((p) => ({
      merchantId: p.merchantId,
      subtotal: p.subtotal,
      shipping: p.shipping,
      tax: p.tax,
      total: p.total,
      lines: p.lines.map((l) => ({
        kind: l.kind,
        sku: l.sku,
        productSlug: l.productSlug,
        title: l.title,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        lineTotal: l.lineTotal,
        tax: l.tax,
      })),
    })),
  };
}

/** How checkout leaves an order: paid, or refused (with the reason its history records). */
export type Placement = { status: Extract<OrderStatus, "paid" | "payment_failed" | "cancelled">; reason: string };

/**
 * Writes a checkout's order as it ends, in one transaction: the order in its final status, its parts, lines,
 * history (placed, then paid or refused) and `events`. Every row has a fixed key, so writing it again (a
 * resumed step) changes nothing. An order an earlier release left `pending_payment` is moved to the status.
 * One INSERT per row: D1 binds at most 100 values to a statement, and an order may have many lines.
 */
export async function writeOrder(db: OrdersDb, o: OrderRecord, placement: Placement, events: OutboxRow[]): Promise<void> {
  const now = Date.now();
  let lineNo = 0;
  await db.batch([
    db
      .insert(orders)
      .values({
        id: o.id,
        userId: o.userId,
        tokenHash: o.tokenHash,
        email: o.email,
        status: placement.status,
        currency: o.currency,
        subtotal: o.subtotal,
        shipping: o.shipping,
        tax: o.tax,
        total: o.total,
        shippingAddress: JSON.stringify(o.shippingAddress),
        payment: JSON.stringify(o.payment),
        cartId: o.cartId,
        checkoutId: o.checkoutId ?? null,
        createdAt: o.createdAt,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    db
      .update(orders)
      .set({ status: placement.status, payment: JSON.stringify(o.payment), updatedAt: now })
      .where(and(eq(orders.id, o.id), eq(orders.status, "pending_payment"))),
    ...o.parts.map((p) =>
      db
        .insert(orderParts)
        .values({
          orderId: o.id,
          merchantId: p.merchantId,
          subtotal: p.subtotal,
          shipping: p.shipping,
          shippingTax: p.shippingTax,
          tax: p.tax,
          total: p.total,
        })
        .onConflictDoNothing(),
    ),
    ...o.parts.flatMap((p) =>
      p.lines.map((l) =>
        db
          .insert(orderLines)
          // A line's own optional fields (warranty cover, plan, years) it does not have are written as NULL.
          .values({ ...l, orderId: o.id, lineNo: ++lineNo, merchantId: p.merchantId })
          .onConflictDoNothing(),
      ),
    ),
    db
      .insert(orderTransitions)
      .values({ id: `${o.id}:placed`, orderId: o.id, fromStatus: null, toStatus: "pending_payment", reason: "checkout", at: o.createdAt })
      .onConflictDoNothing(),
    // Only if the order is in that status now: an order some other path moved on keeps a true history.
    insertIf(
      db,
      orderTransitions,
      {
        id: `${o.id}:${placement.status}`,
        orderId: o.id,
        fromStatus: "pending_payment",
        toStatus: placement.status,
        reason: placement.reason,
        at: now,
      },
      exists(
        db
          .select({ id: orders.id })
          .from(orders)
          .where(and(eq(orders.id, o.id), eq(orders.status, placement.status))),
      ),
    ).onConflictDoNothing(),
    ...events.map((e) => db.insert(outbox).values(e).onConflictDoNothing()),
  ]);
}

function lineView(l: LineRecord, currency: string): OrderLineView {
  const money = (amount: number) => ({ amount, currency });
  return {
    kind: l.kind,
    sku: l.sku,
    productSlug: l.productSlug,
    title: l.title,
    quantity: l.quantity,
    unitPrice: money(l.unitPrice),
    lineTotal: money(l.lineTotal),
    tax: money(l.tax),
    ...(l.coversSku !== undefined ? { coversSku: l.coversSku } : {}),
    ...(l.planId !== undefined ? { planId: l.planId } : {}),
    ...(l.years !== undefined ? { years: l.years } : {}),
  };
}

/** The order as the API shows it, from what checkout just wrote (no read back; a new order has no shipments). */
export function viewOf(o: OrderRecord, status: OrderStatus): OrderView {
  const money = (amount: number) => ({ amount, currency: o.currency });
  const line = (l: LineRecord) => lineView(l, o.currency);
  // As read back: parts by merchant id, lines in the order they were written.
  const parts = [...o.parts].sort((a, b) => (a.merchantId < b.merchantId ? -1 : a.merchantId > b.merchantId ? 1 : 0));
  return {
    id: o.id,
    status,
    email: o.email,
    createdAt: new Date(o.createdAt).toISOString(),
    items: o.parts.flatMap((p) => p.lines.map(line)),
    parts: parts.map((p) => ({
      merchantId: p.merchantId,
      items: p.lines.map(line),
      subtotal: money(p.subtotal),
      shipping: money(p.shipping),
      tax: money(p.tax),
      total: money(p.total),
    })),
    totals: { subtotal: money(o.subtotal), shipping: money(o.shipping), tax: money(o.tax), total: money(o.total) },
    payment: o.payment,
    shippingAddress: o.shippingAddress,
    shipments: [],
  };
}

export type StoredOrder = { view: OrderView; userId: string | null; tokenHash: string | null };

/** Orders with their parts and lines, read in three queries however many orders there are. */
export async function hydrateRows(db: OrdersDb, rows: OrderRow[]): Promise<StoredOrder[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [partRows, lineRows, shipmentRows] = await db.batch([
    db.select().from(orderParts).where(inList(orderParts.orderId, ids)).orderBy(asc(orderParts.merchantId)),
    db.select().from(orderLines).where(inList(orderLines.orderId, ids)).orderBy(asc(orderLines.lineNo)),
    db.select().from(orderShipments).where(inList(orderShipments.orderId, ids)).orderBy(asc(orderShipments.merchantId)),
  ]);
  return rows.map((r) => {
    const money = (amount: number) => ({ amount, currency: r.currency });
    const line = (l: LineRow): OrderLineView =>
      lineView({ ...l, coversSku: l.coversSku ?? undefined, planId: l.planId ?? undefined, years: l.years ?? undefined }, r.currency);
    const own = lineRows.filter((l) => l.orderId === r.id);
    const view: OrderView = {
      id: r.id,
      status: r.status,
      email: r.email,
      createdAt: new Date(r.createdAt).toISOString(),
      items: own.map(line),
      parts: partRows
        .filter((p) => p.orderId === r.id)
        .map((p) => ({
          merchantId: p.merchantId,
          items: own.filter((l) => l.merchantId === p.merchantId).map(line),
          subtotal: money(p.subtotal),
          shipping: money(p.shipping),
          tax: money(p.tax),
          total: money(p.total),
        })),
      totals: { subtotal: money(r.subtotal), shipping: money(r.shipping), tax: money(r.tax), total: money(r.total) },
      payment: JSON.parse(r.payment) as PaymentSummary,
      shippingAddress: JSON.parse(r.shippingAddress) as ShippingAddress,
      // Shipments arrive with fulfilment's events; until the order is paid it has none.
      shipments: shipmentRows
        .filter((sh) => sh.orderId === r.id)
        .map((sh) => ({
          id: sh.id,
          merchantId: sh.merchantId,
          status: sh.status,
          carrier: sh.carrier,
          trackingNumber: sh.trackingNumber,
        })),
    };
    return { view, userId: r.userId, tokenHash: r.tokenHash };
  });
}

export async function loadOrder(db: OrdersDb, orderId: string): Promise<StoredOrder | null> {
  const [row] = await db.select(orderColumns).from(orders).where(eq(orders.id, orderId)).limit(1);
  if (row === undefined) return null;
  return (await hydrateRows(db, [row]))[0] ?? null;
}

/**
 * Orders from every shard, newest first (by creation, then id, as each shard sorts them), at most `limit`: each
 * shard is asked for its own newest `limit` rows, the lists are merged and cut, and each shard hydrates only
 * the rows that made the cut.
 */
export async function newestAcross(
  dbs: readonly OrdersDb[],
  limit: number,
  rowsOf: (db: OrdersDb) => Promise<OrderRow[]>,
): Promise<StoredOrder[]> {
  const found = await Promise.all(dbs.map(async (db) => (await rowsOf(db)).map((row) => ({ db, row }))));
  const newest = found
    .flat()
    .sort((a, b) => b.row.createdAt - a.row.createdAt || (a.row.id < b.row.id ? 1 : a.row.id > b.row.id ? -1 : 0))
    .slice(0, limit);
  const hydrated = await Promise.all(
    dbs.map((db) =>
      hydrateRows(
        db,
        newest.filter((n) => n.db === db).map((n) => n.row),
      ),
    ),
  );
  const byId = new Map(hydrated.flat().map((o) => [o.view.id, o]));
  return newest.flatMap((n) => byId.get(n.row.id) ?? []);
}

/** A shopper's orders on every shard, newest first (at most `limit`; an account with more pages by `before`). */
export async function listOrders(dbs: readonly OrdersDb[], userId: string, limit: number, before?: number): Promise<OrderView[]> {
  const stored = await newestAcross(dbs, limit, (db) =>
    db
      .select(orderColumns)
      .from(orders)
      .where(and(eq(orders.userId, userId), lt(orders.createdAt, before ?? Number.MAX_SAFE_INTEGER)))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(limit),
  );
  return stored.map((o) => o.view);
}
