import { eq, type SQL, sql } from "drizzle-orm";
import { CarrierEvent } from "#schema/fulfillment/dto.ts";
import { timestampedSignatureProblem } from "#shared/crypto.ts";
import { carrierEvents, shipments } from "../db/tables.ts";
import type { FulfillmentDb } from "./db.ts";
import { findShipment, moveShipment } from "./shipments.ts";

const TOLERANCE_SECONDS = 5 * 60;

/** The shipment of a parcel: carrier and number in any case, as shipments_parcel_idx compares them (the builder has no COLLATE). */
const parcel = (carrier: string, trackingNumber: string): SQL =>
  sql`${shipments.carrier} = ${carrier} COLLATE NOCASE AND ${shipments.trackingNumber} = ${trackingNumber} COLLATE NOCASE`;

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
  db: FulfillmentDb,
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
  const [seen] = await db.select({ id: carrierEvents.id }).from(carrierEvents).where(eq(carrierEvents.id, event.id)).limit(1);
  if (seen !== undefined) return { status: 200, received: true, duplicate: true, applied: false, shipmentId: null };
  // The parcel's carrier and number together name at most one shipment (a unique index): whichever merchant
  // registered that parcel, and no one else's.
  const shipment = await findShipment(db, parcel(event.carrier, event.trackingNumber));
  let applied = false;
  if (shipment !== null && event.status === "delivered") {
    const moved = await moveShipment(db, shipment.id, null, "delivered", undefined, requestId);
    if (!moved.ok) return { status: 409, detail: moved.problem.detail ?? "the shipment cannot be delivered" };
    applied = moved.value.moved;
  }
  // Recorded after it took effect: a failure above leaves the event unrecorded, so the carrier's resend applies it.
  await db.insert(carrierEvents).values({ id: event.id, receivedAt: nowMs }).onConflictDoNothing();
  return { status: 200, received: true, duplicate: false, applied, shipmentId: shipment?.id ?? null };
}
