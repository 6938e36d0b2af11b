import { fail, ok, type Result } from "#shared/result.ts";
import { renderInvoice } from "./invoice-document.tsx";
import { loadPaidOrder } from "./paid-orders.ts";

export const invoiceKey = (orderId: string, merchantId: string): string => `invoices/${orderId}/${merchantId}.html`;

type InvoiceRow = {
  order_id: string;
  merchant_id: string;
  number: number;
  document_key: string;
  total: number;
  currency: string;
  issued_at: number;
};

export type InvoiceDocument = { number: string; merchantId: string; contentType: string; body: string };

/** The invoice's printed number: the merchant's sequence, zero-padded (INV-northwind-000042). */
export const invoiceNumber = (merchantId: string, n: number): string =>
  `INV-${merchantId.replace(/^mer_/, "")}-${String(n).padStart(6, "0")}`;

/**
 * One merchant part's invoice document. The document is written to R2 once (the first time it is asked for,
 * or right after the order is paid) and served from there afterwards: an invoice does not change once issued,
 * but for losing its buyer's details when they are erased (rewriteInvoices).
 */
export async function invoiceDocument(db: D1Database, bucket: R2Bucket, orderId: string, part?: string): Promise<Result<InvoiceDocument>> {
  const { results } = await db.prepare("SELECT * FROM invoices WHERE order_id = ? ORDER BY merchant_id").bind(orderId).all<InvoiceRow>();
  if (results.length === 0) return fail(404, `order ${orderId} has no invoice yet (one is issued once the order is paid)`);
  const row = part === undefined ? (results.length === 1 ? results[0] : undefined) : results.find((r) => r.merchant_id === part);
  if (row === undefined) {
    const parts = results.map((r) => r.merchant_id).join(", ");
    return part === undefined
      ? fail(400, `this order has one invoice per merchant part: name one with ?part= (${parts})`, "part")
      : fail(404, `order ${orderId} has no part ${part} (its parts: ${parts})`, "part");
  }
  const number = invoiceNumber(row.merchant_id, row.number);
  const stored = await bucket.get(row.document_key);
  if (stored !== null)
    return ok({ number, merchantId: row.merchant_id, contentType: "text/html; charset=utf-8", body: await stored.text() });
  const written = await writeInvoice(db, bucket, row);
  return written === null
    ? fail(404, `order ${orderId} is not known to fulfilment`)
    : ok({ number, merchantId: row.merchant_id, contentType: "text/html; charset=utf-8", body: written });
}

/** Writes the order's invoice documents that R2 does not have yet (after order.paid; idempotent). */
export async function storeInvoices(db: D1Database, bucket: R2Bucket, orderId: string): Promise<void> {
  const { results } = await db.prepare("SELECT * FROM invoices WHERE order_id = ?").bind(orderId).all<InvoiceRow>();
  for (const row of results) {
    if ((await bucket.head(row.document_key)) === null) await writeInvoice(db, bucket, row);
  }
}

/** Writes the order's invoice documents again from what is kept now (after the buyer was erased). */
export async function rewriteInvoices(db: D1Database, bucket: R2Bucket, orderId: string): Promise<void> {
  const { results } = await db.prepare("SELECT * FROM invoices WHERE order_id = ?").bind(orderId).all<InvoiceRow>();
  for (const row of results) await writeInvoice(db, bucket, row);
}

async function writeInvoice(db: D1Database, bucket: R2Bucket, row: InvoiceRow): Promise<string | null> {
  const order = await loadPaidOrder(db, row.order_id);
  const part = order?.parts.find((p) => p.merchantId === row.merchant_id);
  if (order === null || part === undefined) return null;
  const html = renderInvoice({
    number: invoiceNumber(row.merchant_id, row.number),
    issuedAt: new Date(row.issued_at),
    orderId: row.order_id,
    email: order.email,
    currency: order.currency,
    part,
  });
  await bucket.put(row.document_key, html, { httpMetadata: { contentType: "text/html; charset=utf-8" } });
  return html;
}
