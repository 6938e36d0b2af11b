import { CarrierEvent } from "#schema/fulfillment/dto.ts";
import { timestampedSignatureProblem } from "#shared/crypto.ts";
import { moveShipment, type ShipmentRow } from "./shipments.ts";

const TOLERANCE_SECONDS = 5 * 60;

export type CarrierOutcome =
  | { status: 200; received: true; duplicate: boolean; applied: boolean; shipmentId: string | null }
  | { status: 400 | 401 | 409; detail: string };

/**
 * A carrier tells us where a parcel is. Only a delivery signed with our shared secret in the last 5 minutes is
 * believed (401 otherwise, and nothing changes); a resent event (same carrier event id) changes nothing; an
 * event for a parcel we do not know (no shipment with that carrier and tracking number) is received and ignored,
 * so the carrier stops resending it. The signature proves the carrier sent it, not for which merchant: the parcel
 * does, as each carrier + tracking number belongs to one shipment.
 */
export async function carrierWebhook(
  db: D1Database,
  secret: string,
  rawBody: string,
  signature: string | undefined,
  nowMs: number,
  requestId?: string,
): Promise<CarrierOutcome> {
  const why = await timestampedSignatureProblem(signature, rawBody, secret, nowMs, TOLERANCE_SECONDS);
  if (why !== null) return { status: 401, detail: `carrier webhook refused: ${why}` };
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { status: 400, detail: "the body is not JSON" };
  }
  const parsed = CarrierEvent.safeParse(json);
  if (!parsed.success)
    return {
      status: 400,
      detail: `not a carrier event: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    };
  const event = parsed.data;
  const seen = await db.prepare("SELECT 1 FROM carrier_events WHERE id = ?").bind(event.id).first();
  if (seen !== null) return { status: 200, received: true, duplicate: true, applied: false, shipmentId: null };
  // The parcel's carrier and number together name at most one shipment (a unique index): whichever merchant
  // registered that parcel, and no one else's.
  const shipment = await db
    .prepare("SELECT * FROM shipments WHERE carrier = ? COLLATE NOCASE AND tracking_number = ? COLLATE NOCASE")
    .bind(event.carrier, event.trackingNumber)
    .first<ShipmentRow>();
  let applied = false;
  if (shipment !== null && event.status === "delivered") {
    const moved = await moveShipment(db, shipment.id, null, "delivered", undefined, requestId);
    if (!moved.ok) return { status: 409, detail: moved.problem.detail ?? "the shipment cannot be delivered" };
    applied = moved.value.moved;
  }
  // Recorded after it took effect: a failure above leaves the event unrecorded, so the carrier's resend applies it.
  await db.prepare("INSERT OR IGNORE INTO carrier_events (id, received_at) VALUES (?, ?)").bind(event.id, nowMs).run();
  return { status: 200, received: true, duplicate: false, applied, shipmentId: shipment?.id ?? null };
}
