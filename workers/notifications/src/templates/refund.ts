import type { RefundCompleted } from "#schema/events.ts";
import { formatMoney } from "#shared/html.ts";
import { type Email, layout } from "./layout.tsx";

/** refund.completed → how much came back, for which items. */
export function refund(r: RefundCompleted, orderUrl: string): Email {
  const amount = formatMoney(r.amount, r.currency);
  return {
    subject: `Your refund of ${amount} for order ${r.orderId}`,
    ...layout({
      heading: "Your refund is on its way",
      paragraphs: [
        `We received your return and refunded ${amount} to your original payment method. Banks take a few days to show it.`,
        { rows: r.items.map((i): [string, string] => [i.sku, `× ${i.quantity}`]) },
      ],
      link: { label: "View your order", url: orderUrl },
    }),
  };
}
