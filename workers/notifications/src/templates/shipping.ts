import type { ShipmentChanged } from "#schema/events.ts";
import { type Email, layout } from "./layout.tsx";

const itemsOf = (s: ShipmentChanged): [string, string][] => s.items.map((i) => [i.sku, `× ${i.quantity}`]);

/** shipment.shipped → the carrier and tracking number. */
export function shipped(s: ShipmentChanged, orderUrl: string): Email {
  return {
    subject: `Your order ${s.orderId} has shipped`,
    ...layout({
      heading: "Your order is on its way",
      paragraphs: [
        `${s.carrier ?? "The carrier"} has your parcel. Tracking number: ${s.trackingNumber ?? "not given"}.`,
        { rows: itemsOf(s) },
      ],
      link: { label: "Track your order", url: orderUrl },
    }),
  };
}

/** shipment.delivered → delivered, and how to return within the window. */
export function delivered(s: ShipmentChanged, orderUrl: string): Email {
  return {
    subject: `Your order ${s.orderId} was delivered`,
    ...layout({
      heading: "Your parcel was delivered",
      paragraphs: ["Enjoy it. If something is not right, you can return it from your order page.", { rows: itemsOf(s) }],
      link: { label: "View your order", url: orderUrl },
    }),
  };
}
