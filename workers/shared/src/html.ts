import type { HtmlEscapedString } from "hono/utils/html";

// Text into HTML documents (invoices, emails): hono/jsx components, so every interpolated value is escaped by JSX.

/** Integer minor units shown in the currency's own way (the amount is never stored as a float). */
export function formatMoney(amount: number, currency: string, locale = "en"): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

/**
 * A whole document as a string, at once: invoices and emails are stored as text, so their components are
 * synchronous, and one that is not is a bug rather than something to wait for.
 */
export function htmlDocument(node: HtmlEscapedString | Promise<HtmlEscapedString>): string {
  const html: unknown = node.toString();
  if (typeof html !== "string") throw new Error("an HTML document's components must render synchronously");
  return html;
}
