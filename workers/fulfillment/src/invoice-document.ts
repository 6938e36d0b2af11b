import { ERASED_EMAIL, ERASED_NAME } from "../../shared/src/erasure.ts";
import { escapeHtml, formatMoney } from "../../shared/src/html.ts";
import type { PaidPart } from "./paid-orders.ts";

export type InvoiceInput = { number: string; issuedAt: Date; orderId: string; email: string; currency: string; part: PaidPart };

/** A merchant part's invoice as a self-contained, printable HTML document. */
export function renderInvoice(input: InvoiceInput): string {
  const money = (amount: number) => escapeHtml(formatMoney(amount, input.currency));
  const rows = input.part.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.productSlug)}<div class="sku">${escapeHtml(l.sku)}</div></td><td class="n">${l.quantity}</td>` +
        `<td class="n">${money(l.unitPrice)}</td><td class="n">${money(l.tax)}</td><td class="n">${money(l.lineTotal)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice ${escapeHtml(input.number)}</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;color:#1f2933;max-width:760px;margin:40px auto;padding:0 24px}
h1{font-size:22px;margin:0}.muted{color:#616e7c}.sku{color:#9aa5b1;font-size:12px}
table{width:100%;border-collapse:collapse;margin:24px 0}th,td{padding:8px;border-bottom:1px solid #e4e7eb;text-align:left}
th{font-size:12px;text-transform:uppercase;color:#616e7c}.n{text-align:right}.total td{font-weight:600;border-bottom:none}
header{display:flex;justify-content:space-between;align-items:flex-start}
</style></head><body>
<header><div><h1>Invoice ${escapeHtml(input.number)}</h1><div class="muted">Issued ${escapeHtml(input.issuedAt.toISOString().slice(0, 10))}</div></div>
<div class="muted">Seller: ${escapeHtml(input.part.merchantId)}<br>Order ${escapeHtml(input.orderId)}<br>Billed to ${escapeHtml(input.email === ERASED_EMAIL ? ERASED_NAME.toLowerCase() : input.email)}</div></header>
<table><thead><tr><th>Item</th><th class="n">Qty</th><th class="n">Unit price</th><th class="n">Tax</th><th class="n">Amount</th></tr></thead>
<tbody>
${rows}
<tr><td colspan="4" class="n">Subtotal</td><td class="n">${money(input.part.subtotal)}</td></tr>
<tr><td colspan="4" class="n">Shipping</td><td class="n">${money(input.part.shipping)}</td></tr>
<tr><td colspan="4" class="n">Tax</td><td class="n">${money(input.part.tax)}</td></tr>
<tr class="total"><td colspan="4" class="n">Total</td><td class="n">${money(input.part.total)}</td></tr>
</tbody></table>
<p class="muted">Amounts in ${escapeHtml(input.currency)}. Thank you for your order.</p>
</body></html>
`;
}
