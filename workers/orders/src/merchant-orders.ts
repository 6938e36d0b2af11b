import { and, between, desc, eq } from "drizzle-orm";
import type { MerchantOrder, MerchantOrderQuery, OrderView } from "#schema/orders/dto.ts";
import { orderLines, orderParts, orderShipments, orders } from "../db/tables.ts";
import { type OrdersDb, orderColumns } from "./db.ts";
import { hydrateRows } from "./order-store.ts";

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
export async function merchantOrders(db: OrdersDb, merchantId: string | null, q: MerchantOrderQuery): Promise<MerchantOrder[]> {
  const from = q.from === undefined ? 0 : Date.parse(`${q.from}T00:00:00Z`);
  const to = q.to === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(`${q.to}T00:00:00Z`) + DAY_MS - 1;
  const all = db.select(orderColumns).from(orders).$dynamic();
  const rows = await (merchantId === null ? all : all.innerJoin(orderParts, eq(orderParts.orderId, orders.id)))
    .where(
      and(
        merchantId === null ? undefined : eq(orderParts.merchantId, merchantId),
        between(orders.createdAt, from, to),
        q.status === undefined ? undefined : eq(orders.status, q.status),
      ),
    )
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(q.limit);
  return (await hydrateRows(db, rows)).flatMap((o) => merchantView(o.view, merchantId) ?? []);
}

/** The newest order of this buyer in which the merchant's part holding the product was delivered. */
export async function deliveredOrderWith(db: OrdersDb, userId: string, productSlug: string): Promise<string | null> {
  const [row] = await db
    .select({ id: orders.id })
    .from(orders)
    .innerJoin(orderLines, and(eq(orderLines.orderId, orders.id), eq(orderLines.productSlug, productSlug), eq(orderLines.kind, "product")))
    .innerJoin(
      orderShipments,
      and(
        eq(orderShipments.orderId, orders.id),
        eq(orderShipments.merchantId, orderLines.merchantId),
        eq(orderShipments.status, "delivered"),
      ),
    )
    .where(eq(orders.userId, userId))
    .orderBy(desc(orders.createdAt))
    .limit(1);
  return row?.id ?? null;
}
