import { and, desc, eq, type SQL } from "drizzle-orm";
import { EVENT_TYPES, type ShipmentChanged, type ShipmentStatus } from "#schema/events.ts";
import type { ShipmentDetail } from "#schema/fulfillment/dto.ts";
import { changedOne } from "#shared/d1.ts";
import { outboxRow } from "#shared/outbox.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { shipments } from "../db/tables.ts";
import { type FulfillmentDb, queueEventIf, type ShipmentRow } from "./db.ts";
import { loadPaidOrder, type PaidOrder, shippedItems } from "./paid-orders.ts";

export type { ShipmentRow } from "./db.ts";

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

/** When a shipment became `status`: the column each move stamps. */
const STAMP_OF = {
  pending: null,
  packed: "packedAt",
  shipped: "shippedAt",
  delivered: "deliveredAt",
} as const satisfies Record<ShipmentStatus, keyof ShipmentRow | null>;

/** The id of a part's shipment: fixed by the order and the part, so a repeated order.paid makes no second one. */
export const shipmentIdOf = (orderId: string, partIndex: number): string => `shp_${orderId.replace(/^ord_/, "")}_${partIndex + 1}`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A shipment as the admin API shows it; its items are its part's product lines in `order`. */
export function shipmentDetail(row: ShipmentRow, order: PaidOrder | null): ShipmentDetail {
  return {
    id: row.id,
    orderId: row.orderId,
    merchantId: row.merchantId,
    status: row.status,
    carrier: row.carrier,
    trackingNumber: row.trackingNumber,
    items: shippedItems(order?.parts.find((p) => p.merchantId === row.merchantId)),
    createdAt: new Date(row.createdAt).toISOString(),
    shippedAt: iso(row.shippedAt),
    deliveredAt: iso(row.deliveredAt),
  };
}

/** Shipments with their items, reading each paid order once however many of its shipments are listed. */
export async function shipmentDetails(db: FulfillmentDb, rows: ShipmentRow[]): Promise<ShipmentDetail[]> {
  const orders = new Map<string, PaidOrder | null>();
  for (const id of new Set(rows.map((r) => r.orderId))) orders.set(id, await loadPaidOrder(db, id));
  return rows.map((r) => shipmentDetail(r, orders.get(r.orderId) ?? null));
}

/** The event announcing that a shipment is now `row.status`; its id is fixed per shipment and status. */
export function shipmentEvent(row: ShipmentRow, order: Pick<PaidOrder, "email" | "parts"> | null, requestId?: string) {
  const data: ShipmentChanged = {
    shipmentId: row.id,
    orderId: row.orderId,
    merchantId: row.merchantId,
    email: order?.email ?? "",
    status: row.status,
    carrier: row.carrier,
    trackingNumber: row.trackingNumber,
    items: shippedItems(order?.parts.find((p) => p.merchantId === row.merchantId)),
  };
  return outboxRow(EVENT_OF[row.status], data, requestId, `${row.id}:${row.status}`);
}

const PARCEL_TAKEN = "parcel taken";

/** The batch's results, or PARCEL_TAKEN when a carrier + tracking number another shipment has was refused. */
async function guardParcel<T>(batch: Promise<T>): Promise<T | typeof PARCEL_TAKEN> {
  try {
    return await batch;
  } catch (err) {
    // shipments_parcel_idx: the unique index decides, so two merchants racing for one parcel cannot both have it.
    if (err instanceof Error && /UNIQUE constraint failed: shipments\.carrier/.test(err.message)) return PARCEL_TAKEN;
    throw err;
  }
}

/** The first shipment matching `where` (a shipment's id, or its parcel), or null. */
export async function findShipment(db: FulfillmentDb, where: string | SQL): Promise<ShipmentRow | null> {
  const [row] = await db
    .select()
    .from(shipments)
    .where(typeof where === "string" ? eq(shipments.id, where) : where)
    .limit(1);
  return row ?? null;
}

/**
 * Moves a shipment to `to` (with carrier and tracking number when it ships) and queues its event, in one
 * transaction guarded by the status it had: two concurrent moves cannot both happen. Moving a shipment to the
 * status it has is a repeat and answers the shipment as it is. `merchantId` null is the carrier (any merchant).
 */
export async function moveShipment(
  db: FulfillmentDb,
  shipmentId: string,
  merchantId: string | null,
  to: ShipmentStatus,
  tracking?: { carrier: string; trackingNumber: string },
  requestId?: string,
): Promise<Result<{ shipment: ShipmentRow; moved: boolean }>> {
  const row = await findShipment(db, shipmentId);
  if (row === null || (merchantId !== null && row.merchantId !== merchantId)) return fail(404, `no shipment ${shipmentId}`);
  if (row.status === to) return ok({ shipment: row, moved: false });
  if (!NEXT[row.status].includes(to)) {
    return fail(409, `shipment ${shipmentId} is ${row.status}: it cannot become ${to}`, undefined, { status: row.status });
  }
  const stamp = STAMP_OF[to];
  const moved: Partial<ShipmentRow> & Pick<ShipmentRow, "status" | "carrier" | "trackingNumber"> = {
    status: to,
    carrier: tracking?.carrier ?? row.carrier,
    trackingNumber: tracking?.trackingNumber ?? row.trackingNumber,
    ...(stamp === null ? {} : { [stamp]: Date.now() }),
  };
  const next: ShipmentRow = { ...row, ...moved };
  const event = shipmentEvent(next, await loadPaidOrder(db, row.orderId), requestId);
  const written = await guardParcel(
    db.batch([
      db
        .update(shipments)
        .set(moved)
        .where(and(eq(shipments.id, shipmentId), eq(shipments.status, row.status)))
        .returning({ id: shipments.id }),
      // changes() is the UPDATE's: the event exists only if the move happened.
      queueEventIf(db, event, changedOne),
    ]),
  );
  if (written === PARCEL_TAKEN)
    return fail(
      409,
      `${next.carrier} ${next.trackingNumber} is already another shipment's parcel (a parcel is one shipment): check the number`,
      "trackingNumber",
    );
  if (written[0].length === 1) return ok({ shipment: next, moved: true });
  // Someone moved it first: answer what it is now.
  const now2 = await findShipment(db, shipmentId);
  if (now2?.status === to) return ok({ shipment: now2, moved: false });
  return fail(409, `shipment ${shipmentId} changed meanwhile; it is ${now2?.status ?? "gone"}`);
}

export async function shipmentsOf(
  db: FulfillmentDb,
  filter: { merchantId?: string | undefined; orderId?: string | undefined; status?: ShipmentStatus | undefined },
  limit = 100,
): Promise<ShipmentRow[]> {
  return db
    .select()
    .from(shipments)
    .where(
      and(
        filter.merchantId === undefined ? undefined : eq(shipments.merchantId, filter.merchantId),
        filter.orderId === undefined ? undefined : eq(shipments.orderId, filter.orderId),
        filter.status === undefined ? undefined : eq(shipments.status, filter.status),
      ),
    )
    .orderBy(desc(shipments.createdAt), shipments.id)
    .limit(limit);
}
