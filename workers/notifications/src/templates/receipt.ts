import type { z } from "zod";
import type { OrderPaid } from "#schema/events.ts";
import { formatMoney } from "#shared/html.ts";
import { type Email, layout } from "./layout.tsx";

/** order.paid → the receipt: every line, the totals and the card charged. */
export function receipt(order: z.infer<typeof OrderPaid>, orderUrl: string): Email {
  const money = (amount: number) => formatMoney(amount, order.currency);
  const lines = order.parts.flatMap((p) => p.lines).map((l): [string, string] => [`${l.quantity} × ${l.productSlug}`, money(l.lineTotal)]);
  const totals: [string, string][] = [
    ["Subtotal", money(order.subtotal)],
    ["Shipping", money(order.shipping)],
    ["Tax", money(order.tax)],
    ["Total", money(order.total)],
  ];
  const card = order.card === null ? "your payment method" : `your ${order.card.brand} card ending ${order.card.last4}`;
  return {
    subject: `Your order ${order.orderId} is confirmed`,
    ...layout({
      heading: "Thank you for your order",
      paragraphs: [`We charged ${money(order.total)} to ${card}. We will email you when it ships.`, { rows: lines }, { rows: totals }],
      link: { label: "View your order", url: orderUrl },
    }),
  };
}
