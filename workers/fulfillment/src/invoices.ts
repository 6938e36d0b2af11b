import { eq } from "drizzle-orm";
import { fail, ok, type Result } from "#shared/result.ts";
import { invoices } from "../db/tables.ts";
import type { FulfillmentDb, InvoiceRow } from "./db.ts";
import { renderInvoice } from "./invoice-document.tsx";
import { loadPaidOrder } from "./paid-orders.ts";

export const invoiceKey = (orderId: string, merchantId: string): string => `invoices/${orderId}/${merchantId}.html`;

export type InvoiceDocument = { number: string; merchantId: string; contentType: string; body: string };

/** The invoice's printed number: the merchant's sequence, zero-padded (INV-northwind-000042). */
export const invoiceNumber = (merchantId: string, n: number): string =>
  `INV-${merchantId.replace(/^mer_/, "")}-${String(n).padStart(6, "0")}`;

/** The order's invoices, one per merchant part, by merchant. */
const invoicesOf = (db: FulfillmentDb, orderId: string): Promise<InvoiceRow[]> =>
  db.select().from(invoices).where(eq(invoices.orderId, orderId)).orderBy(invoices.merchantId);

/**
 * One merchant part's invoice document. The document is written to R2 once (the first time it is asked for,
 * or right after the order is paid) and served from there afterwards: an invoice does not change once issued,
 * but for losing its buyer's details when they are erased (rewriteInvoices).
 */
export async function invoiceDocument(
  db: FulfillmentDb,
  bucket: R2Bucket,
  orderId: string,
  part?: string,
): Promise<Result<InvoiceDocument>> {
  const results = await invoicesOf(db, orderId);
  if (results.length === 0) return fail(404, `order ${orderId} has no invoice yet (one is issued once the order is paid)`);
  const row = part === undefined ? (results.length === 1 ? results[0] : undefined) : results.find((r) => r.merchantId === part);
  if (row === undefined) {
    const parts = results.map((r) => r.merchantId).join(", ");
    return part === undefined
      ? fail(400, `this order has one invoice per merchant part: name one with ?part= (${parts})`, "part")
      : fail(404, `order ${orderId} has no part ${part} (its parts: ${parts})`, "part");
  }
  const number = invoiceNumber(row.merchantId, row.number);
  const stored = await bucket.get(row.documentKey);
  if (stored !== null)
    return ok({ number, merchantId: row.merchantId, contentType: "text/html; charset=utf-8", body: await stored.text() });
  const written = await writeInvoice(db, bucket, row);
  return written === null
    ? fail(404, `order ${orderId} is not known to fulfilment`)
    : ok({ number, merchantId: row.merchantId, contentType: "text/html; charset=utf-8", body: written });
}

/** Writes the order's invoice documents that R2 does not have yet (after order.paid; idempotent). */
export async function storeInvoices(db: FulfillmentDb, bucket: R2Bucket, orderId: string): Promise<void> {
  for (const row of await invoicesOf(db, orderId)) {
    if ((await bucket.head(row.documentKey)) === null) await writeInvoice(db, bucket, row);
  }
}

/** Writes the order's invoice documents again from what is kept now (after the buyer was erased). */
export async function rewriteInvoices(db: FulfillmentDb, bucket: R2Bucket, orderId: string): Promise<void> {
  for (const row of await invoicesOf(db, orderId)) await writeInvoice(db, bucket, row);
}

async function writeInvoice(db: FulfillmentDb, bucket: R2Bucket, row: InvoiceRow): Promise<string | null> {
  const order = await loadPaidOrder(db, row.orderId);
  const part = order?.parts.find((p) => p.merchantId === row.merchantId);
  if (order === null || part === undefined) return null;
  const html = renderInvoice({
    number: invoiceNumber(row.merchantId, row.number),
    issuedAt: new Date(row.issuedAt),
    orderId: row.orderId,
    email: order.email,
    currency: order.currency,
    part,
  });
  await bucket.put(row.documentKey, html, { httpMetadata: { contentType: "text/html; charset=utf-8" } });
  return html;
}
