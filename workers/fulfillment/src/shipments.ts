import { EVENT_TYPES, type ShipmentChanged, type ShipmentStatus } from "#schema/events.ts";
import type { ShipmentDetail } from "#schema/fulfillment/dto.ts";
import { outboxRow } from "#shared/outbox.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { loadPaidOrder, type PaidOrder, shippedItems } from "./paid-orders.ts";

// A shipment moves only forward, along this table; the merchant (admin API) or the carrier (webhook) moves it.
const NEXT: Readonly<Record<ShipmentStatus, readonly ShipmentStatus[]>> = {
  pending: ["packed", "shipped"],
  packed: ["shipped"],
  shipped: ["delivered"],
  delivered: [],
};

const EVENT_OF = {
  pending: EVENT_TYPES.shipmentCreated,
  packed: EVENT_TYPES.shipmentPacked,
  shipped: EVENT_TYPES.shipmentShipped,
  delivered: EVENT_TYPES.shipmentDelivered,
} as const;

const STAMP_OF: Readonly<Record<ShipmentStatus, string | null>> = {
  pending: null,
  packed: "packed_at",
  shipped: "shipped_at",
  delivered: "delivered_at",
};

export type ShipmentRow = {
  id: string;
  order_id: string;
  merchant_id: string;
  status: ShipmentStatus;
  carrier: string | null;
  tracking_number: string | null;
  created_at: number;
  shipped_at: number | null;
  delivered_at: number | null;
};

/** The id of a part's shipment: fixed by the order and the part, so a repeated order.paid makes no second one. */
export const shipmentIdOf = (orderId: string, partIndex: number): string => `shp_${orderId.replace(/^ord_/, "")}_${partIndex + 1}`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A shipment as the admin API shows it; its items are its part's product lines in `order`. */
export function shipmentDetail(row: ShipmentRow, order: PaidOrder | null): ShipmentDetail {
  return {
    id: row.id,
    orderId: row.order_id,
    merchantId: row.merchant_id,
    status: row.status,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    items: shippedItems(order?.parts.find((p) => p.merchantId === row.merchant_id)),
    createdAt: new Date(row.created_at).toISOString(),
    shippedAt: iso(row.shipped_at),
    deliveredAt: iso(row.delivered_at),
  };
}

/** Shipments with their items, reading each paid order once however many of its shipments are listed. */
export async function shipmentDetails(db: D1Database, rows: ShipmentRow[]): Promise<ShipmentDetail[]> {
  const orders = new Map<string, PaidOrder | null>();
  for (const id of new Set(rows.map((r) => r.order_id))) orders.set(id, await loadPaidOrder(db, id));
  return rows.map((r) => shipmentDetail(r, orders.get(r.order_id) ?? null));
}

/** The event announcing that a shipment is now `row.status`; its id is fixed per shipment and status. */
export function shipmentEvent(row: ShipmentRow, order: Pick<PaidOrder, "email" | "parts"> | null, requestId?: string) {
  const data: ShipmentChanged = {
    shipmentId: row.id,
    orderId: row.order_id,
    merchantId: row.merchant_id,
    email: order?.email ?? "",
    status: row.status,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    items: shippedItems(order?.parts.find((p) => p.merchantId === row.merchant_id)),
  };
  return outboxRow(EVENT_OF[row.status], data, requestId, `${row.id}:${row.status}`);
}

const PARCEL_TAKEN = "parcel taken";

/** The batch's results, or PARCEL_TAKEN when a carrier + tracking number another shipment has was refused. */
async function guardParcel<T>(batch: Promise<T[]>): Promise<T[] | [typeof PARCEL_TAKEN]> {
  try {
    return await batch;
  } catch (err) {
    // shipments_parcel_idx: the unique index decides, so two merchants racing for one parcel cannot both have it.
    if (err instanceof Error && /UNIQUE constraint failed: shipments\.carrier/.test(err.message)) return [PARCEL_TAKEN];
    throw err;
  }
}

export async function findShipment(db: D1Database, shipmentId: string): Promise<ShipmentRow | null> {
  return db.prepare("SELECT * FROM shipments WHERE id = ?").bind(shipmentId).first<ShipmentRow>();
}

/**
 * Moves a shipment to `to` (with carrier and tracking number when it ships) and queues its event, in one
 * transaction guarded by the status it had: two concurrent moves cannot both happen. Moving a shipment to the
 * status it has is a repeat and answers the shipment as it is. `merchantId` null is the carrier (any merchant).
 */
export async function moveShipment(
  db: D1Database,
  shipmentId: string,
  merchantId: string | null,
  to: ShipmentStatus,
  tracking?: { carrier: string; trackingNumber: string },
  requestId?: string,
): Promise<Result<{ shipment: ShipmentRow; moved: boolean }>> {
  const row = await findShipment(db, shipmentId);
  if (row === null || (merchantId !== null && row.merchant_id !== merchantId)) return fail(404, `no shipment ${shipmentId}`);
  if (row.status === to) return ok({ shipment: row, moved: false });
  if (!NEXT[row.status].includes(to)) {
    return fail(409, `shipment ${shipmentId} is ${row.status}: it cannot become ${to}`, undefined, { status: row.status });
  }
  const now = Date.now();
  const next: ShipmentRow = {
    ...row,
    status: to,
    carrier: tracking?.carrier ?? row.carrier,
    tracking_number: tracking?.trackingNumber ?? row.tracking_number,
    shipped_at: to === "shipped" ? now : row.shipped_at,
    delivered_at: to === "delivered" ? now : row.delivered_at,
  };
  const event = shipmentEvent(next, await loadPaidOrder(db, row.order_id), requestId);
  const stamp = STAMP_OF[to];
  const [update] = await guardParcel(
    db.batch([
      db
        .prepare(
          `UPDATE shipments SET status = ?, carrier = ?, tracking_number = ?${stamp ? `, ${stamp} = ?` : ""} WHERE id = ? AND status = ?`,
        )
        .bind(...[to, next.carrier, next.tracking_number, ...(stamp ? [now] : []), shipmentId, row.status]),
      // changes() is the UPDATE's: the event exists only if the move happened.
      db
        .prepare("INSERT OR IGNORE INTO outbox (id, body, created_at) SELECT ?, ?, ? WHERE changes() = 1")
        .bind(event.id, event.body, event.createdAt),
    ]),
  );
  if (update === PARCEL_TAKEN)
    return fail(
      409,
      `${next.carrier} ${next.tracking_number} is already another shipment's parcel (a parcel is one shipment): check the number`,
      "trackingNumber",
    );
  if ((update?.meta.changes ?? 0) === 1) return ok({ shipment: next, moved: true });
  // Someone moved it first: answer what it is now.
  const now2 = await findShipment(db, shipmentId);
  if (now2?.status === to) return ok({ shipment: now2, moved: false });
  return fail(409, `shipment ${shipmentId} changed meanwhile; it is ${now2?.status ?? "gone"}`);
}

export async function shipmentsOf(
  db: D1Database,
  filter: { merchantId?: string | undefined; orderId?: string | undefined; status?: ShipmentStatus | undefined },
  limit = 100,
): Promise<ShipmentRow[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.merchantId !== undefined) where.push("merchant_id = ?") && args.push(filter.merchantId);
  if (filter.orderId !== undefined) where.push("order_id = ?") && args.push(filter.orderId);
  if (filter.status !== undefined) where.push("status = ?") && args.push(filter.status);
  const sql = `SELECT * FROM shipments ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id LIMIT ?`;
  const { results } = await db
    .prepare(sql)
    .bind(...args, limit)
    .all<ShipmentRow>();
  return results;
}
