/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import type { FC } from "hono/jsx";
import { ERASED_EMAIL, ERASED_NAME } from "#shared/erasure.ts";
import { formatMoney, htmlDocument } from "#shared/html.ts";
import type { PaidPart } from "./paid-orders.ts";

export type InvoiceInput = { number: string; issuedAt: Date; orderId: string; email: string; currency: string; part: PaidPart };

// The invoice is one file a buyer saves or prints, so its style travels inside it. A constant: nothing here
// comes from input, which is why it may go into the document unescaped.
const INVOICE_CSS = `
body{font:14px/1.5 system-ui,sans-serif;color:#1f2933;max-width:760px;margin:40px auto;padding:0 24px}
h1{font-size:22px;margin:0}.muted{color:#616e7c}.sku{color:#9aa5b1;font-size:12px}
table{width:100%;border-collapse:collapse;margin:24px 0}th,td{padding:8px;border-bottom:1px solid #e4e7eb;text-align:left}
th{font-size:12px;text-transform:uppercase;color:#616e7c}.n{text-align:right}.total td{font-weight:600;border-bottom:none}
header{display:flex;justify-content:space-between;align-items:flex-start}
`;

const SumRow: FC<{ label: string; amount: string; total?: boolean }> = ({ label, amount, total }) => (
  <tr class={total ? "total" : undefined}>
    <td colspan={4} class="n">
      {label}
    </td>
    <td class="n">{amount}</td>
  </tr>
);

const Invoice: FC<InvoiceInput> = ({ number, issuedAt, orderId, email, currency, part }) => {
  const money = (amount: number) => formatMoney(amount, currency);
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>{`Invoice ${number}`}</title>
          <style>{raw(INVOICE_CSS)}</style>
        </head>
        <body>
          <header>
            <div>
              <h1>{`Invoice ${number}`}</h1>
              <div class="muted">{`Issued ${issuedAt.toISOString().slice(0, 10)}`}</div>
            </div>
            <div class="muted">
              {`Seller: ${part.merchantId}`}
              <br />
              {`Order ${orderId}`}
              <br />
              {`Billed to ${email === ERASED_EMAIL ? ERASED_NAME.toLowerCase() : email}`}
            </div>
          </header>
          <table>
            <thead>
              <tr>
                <th>Item</th>
                <th class="n">Qty</th>
                <th class="n">Unit price</th>
                <th class="n">Tax</th>
                <th class="n">Amount</th>
              </tr>
            </thead>
            <tbody>
              {part.lines.map((l) => (
                <tr>
                  <td>
                    {l.productSlug}
                    <div class="sku">{l.sku}</div>
                  </td>
                  <td class="n">{l.quantity}</td>
                  <td class="n">{money(l.unitPrice)}</td>
                  <td class="n">{money(l.tax)}</td>
                  <td class="n">{money(l.lineTotal)}</td>
                </tr>
              ))}
              <SumRow label="Subtotal" amount={money(part.subtotal)} />
              <SumRow label="Shipping" amount={money(part.shipping)} />
              <SumRow label="Tax" amount={money(part.tax)} />
              <SumRow label="Total" amount={money(part.total)} total />
            </tbody>
          </table>
          <p class="muted">{`Amounts in ${currency}. Thank you for your order.`}</p>
        </body>
      </html>
    </>
  );
};

/** A merchant part's invoice as a self-contained, printable HTML document. */
export const renderInvoice = (input: InvoiceInput): string => htmlDocument(<Invoice {...input} />);
