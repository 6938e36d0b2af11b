import { eq } from "drizzle-orm";
import type { PaymentView } from "#schema/payments.ts";
import { type D1Db, d1Db } from "#shared/d1.ts";
import type { Logger } from "#shared/logger.ts";
import { shardOf } from "#shared/order-id-shards.ts";
import { payments } from "../db/tables.ts";
import type { Providers } from "./provider.ts";

export type PaymentsDb = D1Db;
export type PaymentRow = typeof payments.$inferSelect;

export const paymentsDb = (d1: D1Database): PaymentsDb => d1Db(d1);

/**
 * What every operation starts with: every shard of the ledger (shard 0 first), the providers, a log and a clock.
 * An operation parses its arguments, then works on its payment's shard (`onShard`).
 */
export type CallDeps = { shards: readonly PaymentsDb[]; providers: Providers; log: Logger; now: () => number };

/** What an operation on one payment works with: `db` is that payment's shard. */
export type Deps = CallDeps & { db: PaymentsDb };

/** `deps` on the shard of `paymentId` (the shard its order id names); null when the id names none. */
export function onShard(deps: CallDeps, paymentId: string): Deps | null {
  const db = shardOf(deps.shards, paymentId);
  return db === null ? null : { ...deps, db };
}

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
