import type { EventData } from "../../../../schema/events.ts";
import { type Email, layout, orderLink, type Rows } from "./layout.ts";

export type ShipmentData = EventData<"shipment.shipped">;

export const shipmentItems = (s: ShipmentData): Rows => s.items.map((i) => [i.sku, `× ${i.quantity}`]);

/** shipment.shipped → who carries the parcel and its tracking number. */
export function shipped(s: ShipmentData, shopUrl: string): Email {
  return layout({
    subject: `Your order ${s.orderId} has shipped`,
    heading: "Your order is on its way",
    blocks: [
      `${s.carrier ?? "The carrier"} has your parcel.`,
      { rows: [["Carrier", s.carrier ?? "not given"], ["Tracking number", s.trackingNumber ?? "not given"], ...shipmentItems(s)] },
    ],
    link: { label: "Track your order", url: orderLink(shopUrl, s.orderId) },
    recipient: s.email,
  });
}
