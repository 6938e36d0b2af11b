import { and, eq, inArray, sql } from "drizzle-orm";
import type { VoidOutcome } from "#schema/payments.ts";
import { parseInput } from "#shared/parse.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { ledger, payments } from "../db/tables.ts";
import { OperationArgs } from "./arguments.ts";
import { askProvider } from "./ask-provider.ts";
import { IN_PROGRESS } from "./authorize.ts";
import { type CallDeps, type Deps, findPayment, onShard, type PaymentsDb, toView } from "./db.ts";
import { claim, type LedgerRow, readDetail, reusedKey, STALE_CLAIM_MS, settle, stillClaimed } from "./ledger.ts";

/**
 * Releases an authorization. It is the compensation a caller runs after a failure or a timeout, so a payment
 * we know nothing of (never authorized, or its authorization never answered) is voided too, with payment null,
 * and the void is recorded: no authorization of it is allowed afterwards, and one that reaches us late from the
 * provider (its webhook) is voided there.
 */
export async function voidPayment(callDeps: CallDeps, paymentIdArg: unknown, keyArg: unknown): Promise<Result<VoidOutcome>> {
  const args = parseInput(OperationArgs, { paymentId: paymentIdArg, idempotencyKey: keyArg }, "arguments");
  if (!args.ok) return args;
  const { paymentId, idempotencyKey } = args.value;
  const deps = onShard(callDeps, paymentId);
  // An id naming no shard was never authorized (authorize refuses it), so there is nothing to release or record.
  if (deps === null) return ok({ outcome: "voided", payment: null });
  const { db } = deps;
  const now = deps.now();
  const payment = await findPayment(db, paymentId);

  const guard = sql`NOT EXISTS (SELECT 1 FROM payments WHERE payment_id = ${paymentId}
      AND status IN ('captured', 'refunded', 'partially_refunded', 'voided'))
    AND NOT EXISTS (SELECT 1 FROM ledger WHERE payment_id = ${paymentId} AND idempotency_key <> ${idempotencyKey} AND (
      (kind = 'authorize' AND status = 'in_progress' AND updated_at >= ${now - STALE_CLAIM_MS})
      OR (kind = 'capture' AND status IN ('in_progress', 'unavailable', 'deferred', 'captured'))
      OR (kind = 'void' AND status IN ('in_progress', 'unavailable'))))`;
  const claimed = await claim(
    db,
    { paymentId, kind: "void", idempotencyKey, amount: payment?.amount ?? 0, currency: payment?.currency ?? null },
    guard,
    now,
  );
  if (claimed.kind === "conflict") return reusedKey(claimed.row);
  if (claimed.kind === "refused") return whyRefused(db, paymentId);
  if (claimed.kind === "recorded") return voidOutcome(db, claimed.row);
  return voidOutcome(db, await runVoid(deps, claimed.row));
}

/** Runs a claimed void: at the provider when something was authorized, in the ledger only otherwise. */
async function runVoid(deps: Deps, row: LedgerRow): Promise<LedgerRow> {
  const { db } = deps;
  const payment = await findPayment(db, row.paymentId);
  const ref = payment?.providerRef ?? null;
  if (payment === undefined || ref === null || payment.status === "failed") {
    return settle(db, row, { status: "voided", detail: { message: "nothing was authorized" } }, [], deps.now());
  }
  const provider = deps.providers.get(payment.provider);
  if (provider === null) {
    return settle(db, row, { status: "unavailable", detail: { message: `${payment.provider} is not configured here` } }, [], deps.now());
  }
  const answer = await askProvider(deps, { operation: "void", paymentId: payment.paymentId, provider: provider.name }, () =>
    provider.void({
      paymentId: payment.paymentId,
      providerRef: ref,
      idempotencyKey: row.idempotencyKey,
      pending: payment.status === "pending",
    }),
  );
  const at = deps.now();
  if (answer.status !== "voided") return settle(db, row, { status: answer.status, detail: { message: answer.message } }, [], at);
  const release = db
    .update(payments)
    .set({ status: "voided", updatedAt: at })
    .where(and(eq(payments.paymentId, payment.paymentId), inArray(payments.status, ["pending", "authorized"]), stillClaimed(row.id)));
  return settle(db, row, { status: "voided" }, [release], at);
}

async function voidOutcome(db: PaymentsDb, row: LedgerRow): Promise<Result<VoidOutcome>> {
  const detail = readDetail(row.detail);
  if (row.status === "voided") {
    const payment = await findPayment(db, row.paymentId);
    return ok({ outcome: "voided", payment: payment?.status === "voided" ? toView(payment) : null });
  }
  // The provider would not release it (already captured there, expired…): not something a retry changes.
  if (row.status === "refused") return fail(409, detail.message ?? "the provider refused to void the payment");
  return ok({
    outcome: "unavailable",
    message: row.status === "in_progress" ? IN_PROGRESS : (detail.message ?? "the provider did not answer"),
  });
}

async function whyRefused(db: PaymentsDb, paymentId: string): Promise<Result<VoidOutcome>> {
  const payment = await findPayment(db, paymentId);
  if (payment?.status === "voided") return ok({ outcome: "voided", payment: toView(payment) });
  if (payment?.status === "captured" || payment?.status === "refunded" || payment?.status === "partially_refunded") {
    return fail(409, `payment ${paymentId} has been captured; refund it instead`);
  }
  const [capture] = await db
    .select({ id: ledger.id })
    .from(ledger)
    .where(
      and(
        eq(ledger.paymentId, paymentId),
        eq(ledger.kind, "capture"),
        inArray(ledger.status, ["in_progress", "unavailable", "deferred", "captured"]),
      ),
    )
    .limit(1);
  if (capture !== undefined) return fail(409, `a capture of payment ${paymentId} was asked for; refund it instead of voiding`);
  return ok({
    outcome: "unavailable",
    message: "an authorization or another void of this payment is under way; retry the void with the same key",
  });
}
