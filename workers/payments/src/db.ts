import { eq } from "drizzle-orm";
import type { PaymentView } from "#schema/payments.ts";
import { type D1Db, d1Db } from "#shared/d1.ts";
import type { Logger } from "#shared/logger.ts";
import { payments } from "../db/tables.ts";
import type { Providers } from "./provider.ts";

export type PaymentsDb = D1Db;
export type PaymentRow = typeof payments.$inferSelect;

export const paymentsDb = (d1: D1Database): PaymentsDb => d1Db(d1);

/** What every operation works with. */
export type Deps = { db: PaymentsDb; providers: Providers; log: Logger; now: () => number };

export async function findPayment(db: PaymentsDb, paymentId: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.paymentId, paymentId)).limit(1);
  return row;
}

export function toView(row: PaymentRow): PaymentView {
  return {
    paymentId: row.paymentId,
    provider: row.provider,
    providerRef: row.providerRef,
    status: row.status,
    amount: { amount: row.amount, currency: row.currency },
    captured: row.captured,
    refunded: row.refunded,
    card: row.cardBrand !== null && row.cardLast4 !== null ? { brand: row.cardBrand, last4: row.cardLast4 } : null,
  };
}
