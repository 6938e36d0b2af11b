import type { MerchantOrder, MerchantOrderQuery, OrderView } from "#schema/orders/dto.ts";
import { hydrateRows, ORDER_COLUMNS, type OrderRow } from "./order-store.ts";

const DAY_MS = 86_400_000;

/** The order cut down to one merchant's part (null: a platform admin, who sees the whole order). */
export function merchantView(order: OrderView, merchantId: string | null): MerchantOrder | null {
  const part = merchantId === null ? null : order.parts.find((p) => p.merchantId === merchantId);
  if (merchantId !== null && part === undefined) return null;
  return {
    id: order.id,
    status: order.status,
    email: order.email,
    createdAt: order.createdAt,
    shippingAddress: order.shippingAddress,
    lines: part?.items ?? order.items,
    totals:
      part === null || part === undefined
        ? order.totals
        : { subtotal: part.subtotal, shipping: part.shipping, tax: part.tax, total: part.total },
    shipments: order.shipments.filter((s) => merchantId === null || s.merchantId === merchantId),
  };
}

/** A merchant's orders, newest first, by status and by day (UTC, both ends included). */
export async function merchantOrders(db: D1Database, merchantId: string | null, q: MerchantOrderQuery): Promise<MerchantOrder[]> {
  const from = q.from === undefined ? 0 : Date.parse(`${q.from}T00:00:00Z`);
  const to = q.to === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(`${q.to}T00:00:00Z`) + DAY_MS - 1;
  const columns = ORDER_COLUMNS.split(", ")
    .map((c) => `o.${c}`)
    .join(", ");
  const status = q.status === undefined ? "" : "AND o.status = ?";
  const args: (string | number)[] = [from, to, ...(q.status === undefined ? [] : [q.status]), q.limit];
  const statement =
    merchantId === null
      ? db.prepare(
          `SELECT ${columns} FROM orders o WHERE o.created_at BETWEEN ? AND ? ${status} ORDER BY o.created_at DESC, o.id DESC LIMIT ?`,
        )
      : db
          .prepare(
            `SELECT ${columns} FROM order_parts p JOIN orders o ON o.id = p.order_id
             WHERE p.merchant_id = ? AND o.created_at BETWEEN ? AND ? ${status} ORDER BY o.created_at DESC, o.id DESC LIMIT ?`,
          )
          .bind(merchantId, ...args);
  const { results } = await (merchantId === null ? statement.bind(...args) : statement).all<OrderRow>();
  return (await hydrateRows(db, results)).flatMap((o) => merchantView(o.view, merchantId) ?? []);
}

/** The newest order of this buyer in which the merchant's part holding the product was delivered. */
export async function deliveredOrderWith(db: D1Database, userId: string, productSlug: string): Promise<string | null> {
  const row = await db
    .prepare(
      `SELECT o.id FROM orders o
       JOIN order_lines l ON l.order_id = o.id AND l.product_slug = ? AND l.kind = 'product'
       JOIN order_shipments s ON s.order_id = o.id AND s.merchant_id = l.merchant_id AND s.status = 'delivered'
       WHERE o.user_id = ? ORDER BY o.created_at DESC LIMIT 1`,
    )
    .bind(productSlug, userId)
    .first<{ id: string }>();
  return row?.id ?? null;
}
