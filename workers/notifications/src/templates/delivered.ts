import { type Email, layout, orderLink } from "./layout.ts";
import { type ShipmentData, shipmentItems } from "./shipped.ts";

/** shipment.delivered → it arrived, and returns start from the order page. */
export function delivered(s: ShipmentData, shopUrl: string): Email {
  return layout({
    subject: `Your order ${s.orderId} was delivered`,
    heading: "Your parcel was delivered",
    blocks: ["Enjoy it. If something is not right, you can return it from your order page.", { rows: shipmentItems(s) }],
    link: { label: "View your order", url: orderLink(shopUrl, s.orderId) },
    recipient: s.email,
  });
}
