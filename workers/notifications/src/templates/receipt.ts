import type { EventData } from "../../../../schema/events.ts";
import { type Email, layout, money, orderLink, type Rows } from "./layout.ts";

export type OrderPaidData = EventData<"order.paid">;

/** order.paid → the receipt: every line, the totals and the card charged. */
export function receipt(order: OrderPaidData, shopUrl: string): Email {
  const m = (amount: number) => money(amount, order.currency);
  const lines: Rows = order.parts
    .flatMap((p) => p.lines)
    .map((l) => [l.kind === "warranty" ? `Warranty for ${l.productSlug}` : `${l.quantity} × ${l.productSlug} (${l.sku})`, m(l.lineTotal)]);
  const totals: Rows = [
    ["Subtotal", m(order.subtotal)],
    ["Shipping", m(order.shipping)],
    ["Tax", m(order.tax)],
    ["Total", m(order.total)],
  ];
  const charged = order.card === null ? "your payment method" : `your ${order.card.brand} card ending ${order.card.last4}`;
  return layout({
    subject: `Your order ${order.orderId} is confirmed`,
    heading: "Thank you for your order",
    blocks: [`We charged ${m(order.total)} to ${charged}. We will email you when it ships.`, { rows: lines }, { rows: totals }],
    link: { label: "View your order", url: orderLink(shopUrl, order.orderId) },
    recipient: order.email,
  });
}
