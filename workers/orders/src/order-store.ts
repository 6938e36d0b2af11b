import type { OrderSummary, ShipmentStatus } from "#schema/events.ts";
import type { OrderLineView, OrderStatus, OrderView, PaymentSummary, ShippingAddress } from "#schema/orders/dto.ts";
import type { OutboxRow } from "#shared/outbox.ts";

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
 */
export async function writeOrder(db: D1Database, o: OrderRecord, placement: Placement, events: OutboxRow[]): Promise<void> {
  const now = Date.now();
  let lineNo = 0;
  await db.batch([
    db
      .prepare(
        `INSERT OR IGNORE INTO orders (id, user_id, token_hash, email, status, currency, subtotal, shipping, tax, total,
           shipping_address, payment, cart_id, checkout_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        o.id,
        o.userId,
        o.tokenHash,
        o.email,
        placement.status,
        o.currency,
        o.subtotal,
        o.shipping,
        o.tax,
        o.total,
        JSON.stringify(o.shippingAddress),
        JSON.stringify(o.payment),
        o.cartId,
        o.checkoutId ?? null,
        o.createdAt,
        now,
      ),
    db
      .prepare("UPDATE orders SET status = ?, payment = ?, updated_at = ? WHERE id = ? AND status = 'pending_payment'")
      .bind(placement.status, JSON.stringify(o.payment), now, o.id),
    ...o.parts.map((p) =>
      db
        .prepare(
          "INSERT OR IGNORE INTO order_parts (order_id, merchant_id, subtotal, shipping, shipping_tax, tax, total) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(o.id, p.merchantId, p.subtotal, p.shipping, p.shippingTax, p.tax, p.total),
    ),
    ...o.parts.flatMap((p) =>
      p.lines.map((l) =>
        db
          .prepare(
            `INSERT OR IGNORE INTO order_lines (order_id, line_no, merchant_id, kind, sku, product_slug, title, quantity, unit_price,
               line_total, tax, covers_sku, plan_id, years) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .bind(
            o.id,
            ++lineNo,
            p.merchantId,
            l.kind,
            l.sku,
            l.productSlug,
            l.title,
            l.quantity,
            l.unitPrice,
            l.lineTotal,
            l.tax,
            l.coversSku ?? null,
            l.planId ?? null,
            l.years ?? null,
          ),
      ),
    ),
    db
      .prepare(
        "INSERT OR IGNORE INTO order_transitions (id, order_id, from_status, to_status, reason, at) VALUES (?, ?, NULL, 'pending_payment', 'checkout', ?)",
      )
      .bind(`${o.id}:placed`, o.id, o.createdAt),
    // Only if the order is in that status now: an order some other path moved on keeps a true history.
    db
      .prepare(
        `INSERT OR IGNORE INTO order_transitions (id, order_id, from_status, to_status, reason, at)
           SELECT ?, ?, 'pending_payment', ?, ?, ? WHERE EXISTS (SELECT 1 FROM orders WHERE id = ? AND status = ?)`,
      )
      .bind(`${o.id}:${placement.status}`, o.id, placement.status, placement.reason, now, o.id, placement.status),
    ...events.map((e) =>
      db.prepare("INSERT OR IGNORE INTO outbox (id, body, created_at) VALUES (?, ?, ?)").bind(e.id, e.body, e.createdAt),
    ),
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

export type OrderRow = {
  id: string;
  user_id: string | null;
  token_hash: string | null;
  email: string;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  shipping: number;
  tax: number;
  total: number;
  shipping_address: string;
  payment: string;
  created_at: number;
};
type PartRow = { order_id: string; merchant_id: string; subtotal: number; shipping: number; tax: number; total: number };
type LineRow = {
  order_id: string;
  merchant_id: string;
  kind: "product" | "warranty";
  sku: string;
  product_slug: string;
  title: string;
  quantity: number;
  unit_price: number;
  line_total: number;
  tax: number;
  covers_sku: string | null;
  plan_id: string | null;
  years: number | null;
};

type ShipmentRow = {
  id: string;
  order_id: string;
  merchant_id: string;
  status: ShipmentStatus;
  carrier: string | null;
  tracking_number: string | null;
};

export type StoredOrder = { view: OrderView; userId: string | null; tokenHash: string | null };

export const ORDER_COLUMNS =
  "id, user_id, token_hash, email, status, currency, subtotal, shipping, tax, total, shipping_address, payment, created_at";

/** Orders with their parts and lines, read in three queries however many orders there are. */
export async function hydrateRows(db: D1Database, rows: OrderRow[]): Promise<StoredOrder[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const marks = ids.map(() => "?").join(", ");
  const [parts, lines, shipments] = await db.batch<PartRow | LineRow | ShipmentRow>([
    db.prepare(`SELECT * FROM order_parts WHERE order_id IN (${marks}) ORDER BY merchant_id`).bind(...ids),
    db.prepare(`SELECT * FROM order_lines WHERE order_id IN (${marks}) ORDER BY line_no`).bind(...ids),
    db.prepare(`SELECT * FROM order_shipments WHERE order_id IN (${marks}) ORDER BY merchant_id`).bind(...ids),
  ]);
  const partRows = (parts?.results ?? []) as PartRow[];
  const lineRows = (lines?.results ?? []) as LineRow[];
  const shipmentRows = (shipments?.results ?? []) as ShipmentRow[];
  return rows.map((r) => {
    const money = (amount: number) => ({ amount, currency: r.currency });
    const line = (l: LineRow): OrderLineView =>
      lineView(
        {
          kind: l.kind,
          sku: l.sku,
          productSlug: l.product_slug,
          title: l.title,
          quantity: l.quantity,
          unitPrice: l.unit_price,
          lineTotal: l.line_total,
          tax: l.tax,
          coversSku: l.covers_sku ?? undefined,
          planId: l.plan_id ?? undefined,
          years: l.years ?? undefined,
        },
        r.currency,
      );
    const own = lineRows.filter((l) => l.order_id === r.id);
    const view: OrderView = {
      id: r.id,
      status: r.status,
      email: r.email,
      createdAt: new Date(r.created_at).toISOString(),
      items: own.map(line),
      parts: partRows
        .filter((p) => p.order_id === r.id)
        .map((p) => ({
          merchantId: p.merchant_id,
          items: own.filter((l) => l.merchant_id === p.merchant_id).map(line),
          subtotal: money(p.subtotal),
          shipping: money(p.shipping),
          tax: money(p.tax),
          total: money(p.total),
        })),
      totals: { subtotal: money(r.subtotal), shipping: money(r.shipping), tax: money(r.tax), total: money(r.total) },
      payment: JSON.parse(r.payment) as PaymentSummary,
      shippingAddress: JSON.parse(r.shipping_address) as ShippingAddress,
      // Shipments arrive with fulfilment's events; until the order is paid it has none.
      shipments: shipmentRows
        .filter((sh) => sh.order_id === r.id)
        .map((sh) => ({
          id: sh.id,
          merchantId: sh.merchant_id,
          status: sh.status,
          carrier: sh.carrier,
          trackingNumber: sh.tracking_number,
        })),
    };
    return { view, userId: r.user_id, tokenHash: r.token_hash };
  });
}

export async function loadOrder(db: D1Database, orderId: string): Promise<StoredOrder | null> {
  const row = await db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ?`).bind(orderId).first<OrderRow>();
  if (row === null) return null;
  return (await hydrateRows(db, [row]))[0] ?? null;
}

/** A shopper's orders, newest first (at most `limit`; an account with more pages by `before`). */
export async function listOrders(db: D1Database, userId: string, limit: number, before?: number): Promise<OrderView[]> {
  const { results } = await db
    .prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? AND created_at < ? ORDER BY created_at DESC, id DESC LIMIT ?`)
    .bind(userId, before ?? Number.MAX_SAFE_INTEGER, limit)
    .all<OrderRow>();
  return (await hydrateRows(db, results)).map((o) => o.view);
}
