import { escapeHtml, formatMoney } from "../../../shared/src/html.ts";

/** What every template makes: the subject, and the same message as plain text and as HTML. */
export type Email = { subject: string; text: string; html: string };

/** A two-column block of label and value (order lines, totals, items). */
export type Rows = [label: string, value: string][];
export type Block = string | { rows: Rows };

export type LayoutInput = {
  subject: string;
  heading: string;
  blocks: Block[];
  link: { label: string; url: string };
  /** Who it was sent to, said in the footer so a forwarded email shows whose it was. */
  recipient: string;
};

/** Amounts are integer minor units in the event; only here do they become text. */
export const money = (amount: number, currency: string): string => formatMoney(amount, currency);

/** The order's page in the shop, which every email links to. */
export const orderLink = (shopUrl: string, orderId: string): string => `${shopUrl.replace(/\/+$/, "")}/orders/${encodeURIComponent(orderId)}`;

const FOOTER = "You get this email because you ordered from a shop on Edge Commerce.";

function plainText(input: LayoutInput): string {
  const blocks = input.blocks.map((b) => (typeof b === "string" ? b : b.rows.map(([k, v]) => `${k}: ${v}`).join("\n")));
  return [input.heading, ...blocks, `${input.link.label}: ${input.link.url}`, `-- \nEdge Commerce · sent to ${input.recipient}\n${FOOTER}`]
    .join("\n\n")
    .concat("\n");
}

const row = ([k, v]: [string, string]) =>
  `<tr><td style="padding:6px 0;color:#616e7c;border-bottom:1px solid #e4e7eb">${escapeHtml(k)}</td>` +
  `<td style="padding:6px 0 6px 12px;text-align:right;white-space:nowrap;border-bottom:1px solid #e4e7eb">${escapeHtml(v)}</td></tr>`;

const htmlBlock = (b: Block) =>
  typeof b === "string"
    ? `<p style="margin:0 0 16px">${escapeHtml(b)}</p>`
    : `<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;margin:0 0 16px">${b.rows.map(row).join("")}</table>`;

// Inline styles and tables only: mail clients drop <style> blocks and most layout CSS.
function html(input: LayoutInput): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(input.subject)}</title></head>
<body style="margin:0;padding:0;background:#f5f7fa;font:15px/1.5 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2933">
<div style="max-width:560px;margin:0 auto;padding:32px 16px">
<div style="font-weight:700;letter-spacing:.02em;color:#3e4c59;margin:0 0 16px">Edge Commerce</div>
<div style="background:#ffffff;border:1px solid #e4e7eb;border-radius:8px;padding:28px">
<h1 style="font-size:20px;line-height:1.3;margin:0 0 16px">${escapeHtml(input.heading)}</h1>
${input.blocks.map(htmlBlock).join("\n")}
<a href="${escapeHtml(input.link.url)}" style="display:inline-block;background:#2563eb;color:#ffffff;text-decoration:none;padding:10px 18px;border-radius:6px">${escapeHtml(input.link.label)}</a>
</div>
<p style="color:#9aa5b1;font-size:12px;margin:16px 0 0">Sent to ${escapeHtml(input.recipient)}. ${escapeHtml(FOOTER)}</p>
</div></body></html>
`;
}

/**
 * One look for every email. Templates hand over text only and never write HTML: everything is escaped here,
 * once, so a product slug or an address cannot inject markup.
 */
export function layout(input: LayoutInput): Email {
  return { subject: input.subject, text: plainText(input), html: html(input) };
}
