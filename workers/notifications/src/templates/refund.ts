import type { EventData } from "../../../../schema/events.ts";
import { type Email, layout, money, orderLink } from "./layout.ts";

export type RefundData = EventData<"refund.completed">;

/** refund.completed → how much came back, for which items. */
export function refund(r: RefundData, shopUrl: string): Email {
  const amount = money(r.amount, r.currency);
  return layout({
    subject: `Your refund of ${amount} for order ${r.orderId}`,
    heading: "Your refund is on its way",
    blocks: [
      `We received your return and refunded ${amount} to your original payment method. Banks can take a few days to show it.`,
      { rows: r.items.map((i) => [i.sku, `× ${i.quantity}`]) },
    ],
    link: { label: "View your order", url: orderLink(shopUrl, r.orderId) },
    recipient: r.email,
  });
}
