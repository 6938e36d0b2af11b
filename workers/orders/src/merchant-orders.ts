import { and, between, desc, eq } from "drizzle-orm";
import type { MerchantOrder, MerchantOrderQuery, OrderView } from "#schema/orders/dto.ts";
import { orderLines, orderParts, orderShipments, orders } from "../db/tables.ts";
import { type OrdersDb, orderColumns } from "./db.ts";
import { newestAcross } from "./order-store.ts";

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
export async function merchantOrders(dbs: readonly OrdersDb[], merchantId: string | null, q: MerchantOrderQuery): Promise<MerchantOrder[]> {
  const from = q.from === undefined ? 0 : Date.parse(`${q.from}T00:00:00Z`);
  const to = q.to === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(`${q.to}T00:00:00Z`) + DAY_MS - 1;
  const stored = await newestAcross(dbs, q.limit, (db) => {
    const all = db.select(orderColumns).from(orders).$dynamic();
    return (merchantId === null ? all : all.innerJoin(orderParts, eq(orderParts.orderId, orders.id)))
      .where(
        and(
          merchantId === null ? undefined : eq(orderParts.merchantId, merchantId),
          between(orders.createdAt, from, to),
          q.status === undefined ? undefined : eq(orders.status, q.status),
        ),
      )
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(q.limit);
  });
  return stored.flatMap((o) => merchantView(o.view, merchantId) ?? []);
}

/** The newest order of this buyer (on any shard) in which the merchant's part holding the product was delivered. */
export async function deliveredOrderWith(dbs: readonly OrdersDb[], userId: string, productSlug: string): Promise<string | null> {
  const found = await Promise.all(dbs.map((db) => deliveredOn(db, userId, productSlug)));
  const newest = found.flatMap((row) => row ?? []).sort((a, b) => b.createdAt - a.createdAt)[0];
  return newest?.id ?? null;
}

async function deliveredOn(db: OrdersDb, userId: string, productSlug: string): Promise<{ id: string; createdAt: number } | undefined> {
  const [row] = await db
    .select({ id: orders.id, createdAt: orders.createdAt })
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
  return row;
}
