import { and, eq, inArray, sql } from "drizzle-orm";
import type { CaptureOutcome } from "#schema/payments.ts";
import { parseInput } from "#shared/parse.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { payments } from "../db/tables.ts";
import { OperationArgs } from "./arguments.ts";
import { askProvider } from "./ask-provider.ts";
import { IN_PROGRESS } from "./authorize.ts";
import { type CallDeps, type Deps, findPayment, onShard, type PaymentRow, type PaymentsDb, toView } from "./db.ts";
import { claim, type LedgerRow, readDetail, reusedKey, settle, settleWith, stillClaimed } from "./ledger.ts";

const DEFERRED =
  "the authorization is still pending at the provider; the capture happens as soon as the provider confirms it: retry with the same key to learn the result";

/** Captures the full authorized amount. */
export async function capture(callDeps: CallDeps, paymentIdArg: unknown, keyArg: unknown): Promise<Result<CaptureOutcome>> {
  const args = parseInput(OperationArgs, { paymentId: paymentIdArg, idempotencyKey: keyArg }, "arguments");
  if (!args.ok) return args;
  const { paymentId, idempotencyKey } = args.value;
  const deps = onShard(callDeps, paymentId);
  const payment = deps === null ? undefined : await findPayment(deps.db, paymentId);
  if (deps === null || payment === undefined) return fail(404, `there is no payment ${paymentId}`, "paymentId");
  return capturePayment(deps, payment, idempotencyKey);
}

/**
 * Captures a payment its caller has just read (`capture`) or written (`charge`'s authorization), under a
 * parsed idempotency key: the same ledger row and answer as `capture` gives for that payment and key.
 */
export async function capturePayment(deps: Deps, payment: PaymentRow, idempotencyKey: string): Promise<Result<CaptureOutcome>> {
  const { db } = deps;
  const { paymentId } = payment;
  // One capture per payment: while another key's capture may have moved the money, a new key waits.
  const guard = sql`EXISTS (SELECT 1 FROM payments WHERE payment_id = ${paymentId} AND status IN ('pending', 'authorized'))
    AND NOT EXISTS (SELECT 1 FROM ledger WHERE payment_id = ${paymentId} AND kind = 'capture' AND idempotency_key <> ${idempotencyKey}
      AND status IN ('in_progress', 'unavailable', 'deferred', 'captured'))`;
  const claimed = await claim(
    db,
    { paymentId, kind: "capture", idempotencyKey, amount: payment.amount, currency: payment.currency },
    guard,
    deps.now(),
  );
  if (claimed.kind === "conflict") return reusedKey(claimed.row);
  if (claimed.kind === "refused") return ok(await whyRefused(db, paymentId));
  if (claimed.kind === "recorded") return ok(await captureOutcome(db, claimed.row, undefined));
  return ok(await runCapture(deps, claimed.row, payment));
}

/**
 * Runs a claimed capture: deferred while the authorization is pending (the webhook that settles it runs the
 * capture, with this same key), otherwise asks the provider. `known` is the payment as read before the claim
 * (undefined: read it now). Only an authorized one is taken as it is: the claim's guard let it in, and an
 * authorized payment changes only by being captured or voided, which the guard refuses; a pending one may
 * have been authorized meanwhile, so it is read again.
 */
export async function runCapture(deps: Deps, row: LedgerRow, known?: PaymentRow): Promise<CaptureOutcome> {
  const { db } = deps;
  const payment = known?.status === "authorized" ? known : await findPayment(db, row.paymentId);
  const provider = payment === undefined ? null : deps.providers.get(payment.provider);
  let settled: LedgerRow;
  let captured: PaymentRow | undefined;
  if (payment?.status === "pending") {
    settled = await settle(db, row, { status: "deferred", detail: { message: DEFERRED } }, [], deps.now());
  } else if (payment === undefined || payment.status !== "authorized" || payment.providerRef === null) {
    settled = await settle(db, row, { status: "refused", detail: { message: "the payment is not authorized" } }, [], deps.now());
  } else if (provider === null) {
    settled = await settle(
      db,
      row,
      { status: "unavailable", detail: { message: `${payment.provider} is not configured here` } },
      [],
      deps.now(),
    );
  } else {
    const providerRef = payment.providerRef;
    const answer = await askProvider(deps, { operation: "capture", paymentId: payment.paymentId, provider: provider.name }, () =>
      provider.capture({
        paymentId: payment.paymentId,
        providerRef,
        amount: { amount: payment.amount, currency: payment.currency },
        idempotencyKey: row.idempotencyKey,
      }),
    );
    const at = deps.now();
    if (answer.status === "captured") {
      // The captured payment comes back from its UPDATE, in the batch that records the capture.
      const done = await settleWith(
        db,
        row,
        { status: "captured", providerRef: answer.providerRef },
        [markCaptured(db, payment, at, stillClaimed(row.id))],
        at,
      );
      settled = done.row;
      [captured] = done.effects[0];
    } else {
      settled = await settle(db, row, { status: answer.status, detail: { message: answer.message } }, [], at);
    }
  }
  return captureOutcome(db, settled, captured);
}

/** The payment's side of a capture; `guard` makes it happen once, with the ledger row that records it. */
const markCaptured = (db: PaymentsDb, payment: PaymentRow, at: number, guard: ReturnType<typeof sql>) =>
  db
    .update(payments)
    .set({ status: "captured", captured: payment.amount, updatedAt: at })
    .where(and(eq(payments.paymentId, payment.paymentId), inArray(payments.status, ["pending", "authorized"]), guard))
    .returning();

/**
 * The answer a recorded capture gives, now and on every retry of its key. `written` is the payment row this
 * call's capture just wrote, if any; otherwise the payment is read.
 */
async function captureOutcome(db: PaymentsDb, row: LedgerRow, written: PaymentRow | undefined): Promise<CaptureOutcome> {
  const detail = readDetail(row.detail);
  if (row.status === "captured") {
    const payment = written ?? (await findPayment(db, row.paymentId));
    if (payment !== undefined) return { outcome: "captured", payment: toView(payment) };
  }
  if (row.status === "refused") return { outcome: "refused", message: detail.message ?? "the provider refused the capture" };
  return {
    outcome: "unavailable",
    message: row.status === "in_progress" ? IN_PROGRESS : (detail.message ?? "the provider did not answer"),
  };
}

/** A new key the payment's state does not let in: nothing moves, and the answer says why. */
async function whyRefused(db: PaymentsDb, paymentId: string): Promise<CaptureOutcome> {
  const payment = await findPayment(db, paymentId);
  switch (payment?.status) {
    // Capturing is all or nothing, so asking again under another key is answered with the capture there was.
    case "captured":
    case "partially_refunded":
    case "refunded":
      return { outcome: "captured", payment: toView(payment) };
    case "voided":
      return { outcome: "refused", message: "the payment was voided" };
    case "failed":
    case undefined:
      return { outcome: "refused", message: "the payment was never authorized" };
  }
  return { outcome: "unavailable", message: "a capture of this payment is under way with another idempotency key; retry" };
}
