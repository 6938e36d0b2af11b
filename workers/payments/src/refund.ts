import { and, desc, eq, sql } from "drizzle-orm";
import type { Money } from "#schema/money.ts";
import type { RefundOutcome } from "#schema/payments.ts";
import { parseInput } from "#shared/parse.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { ledger, payments } from "../db/tables.ts";
import { RefundArgs } from "./arguments.ts";
import { askProvider } from "./ask-provider.ts";
import { IN_PROGRESS } from "./authorize.ts";
import { type CallDeps, type Deps, findPayment, onShard, type PaymentsDb, toView } from "./db.ts";
import { claim, type LedgerRow, readDetail, reusedKey, settle, stillClaimed } from "./ledger.ts";

/**
 * Money already refunded or possibly on its way back: refunds done, under way, and unavailable ones (which may
 * have gone through at the provider, so their amount stays reserved until a retry with their key settles them).
 */
const reservedSql = (paymentId: string, exceptKey: string) =>
  sql`(SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE payment_id = ${paymentId} AND kind = 'refund'
    AND idempotency_key <> ${exceptKey} AND status IN ('refunded', 'in_progress', 'unavailable'))`;

/** Refunds part or all of what was captured; never more than captured minus refunded. */
export async function refund(
  callDeps: CallDeps,
  paymentIdArg: unknown,
  keyArg: unknown,
  amountArg: unknown,
): Promise<Result<RefundOutcome>> {
  const args = parseInput(RefundArgs, { paymentId: paymentIdArg, idempotencyKey: keyArg, amount: amountArg }, "arguments");
  if (!args.ok) return args;
  const { paymentId, idempotencyKey, amount } = args.value;
  const deps = onShard(callDeps, paymentId);
  if (deps === null) return fail(404, `there is no payment ${paymentId}`, "paymentId");
  const { db } = deps;

  // The limit is checked in the statement that claims the key: two concurrent refunds cannot both fit in
  // what only one of them fits in.
  const guard = sql`EXISTS (SELECT 1 FROM payments WHERE payment_id = ${paymentId} AND status IN ('captured', 'partially_refunded')
    AND currency = ${amount.currency} AND captured - ${reservedSql(paymentId, idempotencyKey)} >= ${amount.amount})`;
  const claimed = await claim(
    db,
    { paymentId, kind: "refund", idempotencyKey, amount: amount.amount, currency: amount.currency },
    guard,
    deps.now(),
  );
  if (claimed.kind === "conflict") return reusedKey(claimed.row);
  if (claimed.kind === "refused") return whyRefused(db, paymentId, idempotencyKey, amount);
  if (claimed.kind === "recorded") return ok(await refundOutcome(db, claimed.row));
  return ok(await refundOutcome(db, await runRefund(deps, claimed.row, amount)));
}

async function runRefund(deps: Deps, row: LedgerRow, amount: Money): Promise<LedgerRow> {
  const { db } = deps;
  const payment = await findPayment(db, row.paymentId);
  const provider = payment === undefined ? null : deps.providers.get(payment.provider);
  if (payment === undefined || payment.providerRef === null) {
    return settle(db, row, { status: "refused", detail: { message: "the payment was never captured" } }, [], deps.now());
  }
  if (provider === null) {
    return settle(db, row, { status: "unavailable", detail: { message: `${payment.provider} is not configured here` } }, [], deps.now());
  }
  const [capture] = await db
    .select({ providerRef: ledger.providerRef })
    .from(ledger)
    .where(and(eq(ledger.paymentId, payment.paymentId), eq(ledger.kind, "capture"), eq(ledger.status, "captured")))
    .orderBy(desc(ledger.createdAt))
    .limit(1);
  const providerRef = payment.providerRef;
  const answer = await askProvider(deps, { operation: "refund", paymentId: payment.paymentId, provider: provider.name }, () =>
    provider.refund({
      paymentId: payment.paymentId,
      providerRef,
      captureRef: capture?.providerRef ?? null,
      amount,
      idempotencyKey: row.idempotencyKey,
    }),
  );
  const at = deps.now();
  if (answer.status !== "refunded") return settle(db, row, { status: answer.status, detail: { message: answer.message } }, [], at);
  return settle(
    db,
    row,
    { status: "refunded", providerRef: answer.refundId },
    [addRefund(db, payment.paymentId, amount.amount, at, stillClaimed(row.id))],
    at,
  );
}

/** The payment's side of a refund; `guard` makes it count once, with the ledger row that records it. */
export const addRefund = (db: PaymentsDb, paymentId: string, amount: number, at: number, guard: ReturnType<typeof sql>) =>
  db
    .update(payments)
    .set({
      refunded: sql`${payments.refunded} + ${amount}`,
      status: sql`CASE WHEN ${payments.refunded} + ${amount} >= ${payments.captured} THEN 'refunded' ELSE 'partially_refunded' END`,
      updatedAt: at,
    })
    .where(and(eq(payments.paymentId, paymentId), guard));

async function refundOutcome(db: PaymentsDb, row: LedgerRow): Promise<RefundOutcome> {
  const detail = readDetail(row.detail);
  if (row.status === "refunded") {
    const payment = await findPayment(db, row.paymentId);
    if (payment !== undefined) return { outcome: "refunded", payment: toView(payment), refundId: row.providerRef ?? row.id };
  }
  if (row.status === "refused") return { outcome: "refused", message: detail.message ?? "the provider refused the refund" };
  return {
    outcome: "unavailable",
    message: row.status === "in_progress" ? IN_PROGRESS : (detail.message ?? "the provider did not answer"),
  };
}

async function whyRefused(db: PaymentsDb, paymentId: string, idempotencyKey: string, amount: Money): Promise<Result<RefundOutcome>> {
  const payment = await findPayment(db, paymentId);
  if (payment === undefined) return fail(404, `there is no payment ${paymentId}`, "paymentId");
  if (payment.currency !== amount.currency) {
    return fail(400, `amount.currency: payment ${paymentId} is in ${payment.currency}`, "amount.currency");
  }
  if (payment.status !== "captured" && payment.status !== "partially_refunded") {
    const why = payment.status === "refunded" ? "has been refunded in full" : `is ${payment.status}, not captured`;
    return ok({ outcome: "refused", message: `payment ${paymentId} ${why}` });
  }
  const [reserved] = await db
    .select({ total: reservedSql(paymentId, idempotencyKey).mapWith(Number) })
    .from(payments)
    .where(eq(payments.paymentId, paymentId));
  const left = payment.captured - (reserved?.total ?? 0);
  return ok({
    outcome: "refused",
    message: `a refund of ${amount.amount} is more than the ${Math.max(0, left)} ${amount.currency} (minor units) left to refund`,
  });
}
