import { eq, sql } from "drizzle-orm";
import { type AuthorizeOutcome, AuthorizeRequest } from "#schema/payments.ts";
import { parseInput } from "#shared/parse.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { ledger, payments } from "../db/tables.ts";
import { askProvider } from "./ask-provider.ts";
import { cardSummary } from "./cards.ts";
import { type CallDeps, findPayment, onShard, type PaymentRow, type PaymentsDb, toView } from "./db.ts";
import { claim, type LedgerRow, readDetail, reusedKey, STALE_CLAIM_MS, settle, settleWith } from "./ledger.ts";

export const IN_PROGRESS = "a request with this idempotency key is under way; retry it with the same key";

/**
 * Authorizes (holds) the amount with the primary provider, by the one payment method it takes: a card number
 * (the test provider) goes to it and nowhere else, a Stripe PaymentMethod or an approved PayPal order is what
 * the shopper's browser made. We keep the brand and last four digits.
 */
export async function authorize(deps: CallDeps, input: unknown): Promise<Result<AuthorizeOutcome>> {
  const result = await authorizeWithPayment(deps, input);
  return result.ok ? ok(result.value.outcome) : result;
}

/** An authorization's answer and, when it is authorized or pending, the payment row the answer shows. */
export type Authorization = { outcome: AuthorizeOutcome; payment: PaymentRow | undefined };

/** `authorize`, also handing back the payment row it answered with (so a capture right after need not read it). */
export async function authorizeWithPayment(callDeps: CallDeps, input: unknown): Promise<Result<Authorization>> {
  const parsed = parseInput(AuthorizeRequest, input);
  if (!parsed.ok) return parsed;
  const req = parsed.value;
  if (req.amount.amount <= 0) return fail(400, "amount.amount: must be more than zero", "amount.amount");
  const { paymentId, idempotencyKey } = req;
  // The payment of an order its id says no shard of holds: there is no such order to pay for.
  const deps = onShard(callDeps, paymentId);
  if (deps === null) return fail(400, `paymentId: ${paymentId} names no shard of the payments database`, "paymentId");
  const { db } = deps;
  const provider = deps.providers.primary;
  // Raw card numbers go to the test provider only; a real one gets the token its browser SDK made.
  if (req.payment.method !== provider.accepts) {
    return fail(
      400,
      `this shop takes payment.method "${provider.accepts}" (see GET /v1/checkout/payment-methods), not "${req.payment.method}"`,
      "payment.method",
    );
  }
  const known = req.payment.method === "card" ? cardSummary(req.payment.card.number) : null;
  const now = deps.now();

  // One live authorization per payment: a new key is refused while another key's authorization holds money
  // or may still do so (unavailable, under way), and once the payment was voided (a compensation must stay
  // one). A declined payment may be authorized again, with another card, under a new key.
  const guard = sql`NOT EXISTS (SELECT 1 FROM ledger WHERE payment_id = ${paymentId} AND idempotency_key <> ${idempotencyKey}
      AND ((kind = 'authorize' AND status IN ('in_progress', 'unavailable', 'pending', 'authorized')) OR kind = 'void'))
    AND NOT EXISTS (SELECT 1 FROM payments WHERE payment_id = ${paymentId} AND status <> 'failed')`;
  const claimed = await claim(
    db,
    { paymentId, kind: "authorize", idempotencyKey, amount: req.amount.amount, currency: req.amount.currency },
    guard,
    now,
  );
  if (claimed.kind === "conflict") return reusedKey(claimed.row);
  if (claimed.kind === "refused") return whyRefused(db, paymentId, now);
  if (claimed.kind === "recorded") {
    // Recorded but not final: under way elsewhere, or an unavailable one the guard will not retry (voided).
    if (claimed.row.status === "unavailable") return whyRefused(db, paymentId, now);
    return ok(await authorizeOutcome(db, claimed.row, undefined));
  }

  const answer = await askProvider(deps, { operation: "authorize", paymentId, provider: provider.name }, () =>
    provider.authorize({
      paymentId,
      idempotencyKey,
      amount: req.amount,
      payment: req.payment,
      email: req.email,
      description: req.description,
    }),
  );
  const at = deps.now();
  // What was charged, as far as we may keep it: from the number itself, or from the provider's answer.
  const card = known ?? (answer.status === "unavailable" ? null : (answer.card ?? null));
  if (answer.status === "unavailable") {
    // The card summary is kept for the payment a late webhook may still create from this authorization.
    const row = await settle(db, claimed.row, { status: "unavailable", detail: { message: answer.message, card } }, [], at);
    return ok(await authorizeOutcome(db, row, undefined));
  }
  const status = answer.status === "declined" ? "failed" : answer.status;
  const providerRef = answer.status === "declined" ? null : answer.providerRef;
  const replacement = {
    provider: provider.name,
    providerRef,
    status,
    amount: req.amount.amount,
    currency: req.amount.currency,
    captured: 0,
    refunded: 0,
    cardBrand: card?.brand ?? null,
    cardLast4: card?.last4 ?? null,
    updatedAt: at,
  } as const;
  // Only a failed payment is ever replaced (the guard let this key in because there was no other).
  const upsert = db
    .insert(payments)
    .values({ paymentId, ...replacement, createdAt: at })
    .onConflictDoUpdate({ target: payments.paymentId, set: replacement, setWhere: sql`${payments.status} = 'failed'` })
    .returning();
  const detail = answer.status === "declined" ? { reason: answer.reason, message: answer.message, card } : { card };
  // One batch: the payment as upserted comes back with the ledger row, so the answer needs no read.
  const settled = await settleWith(db, claimed.row, { status: answer.status, providerRef, detail }, [upsert], at);
  const [upserted] = settled.effects[0];
  return ok(await authorizeOutcome(db, settled.row, upserted));
}

/**
 * The answer a recorded authorization gives, now and on every retry of its key. `written` is the payment row
 * this call just wrote, if any; otherwise the payment is read.
 */
async function authorizeOutcome(db: PaymentsDb, row: LedgerRow, written: PaymentRow | undefined): Promise<Authorization> {
  const detail = readDetail(row.detail);
  if (row.status === "authorized" || row.status === "pending") {
    const payment = written ?? (await findPayment(db, row.paymentId));
    if (payment !== undefined) return { outcome: { outcome: row.status, payment: toView(payment) }, payment };
  }
  if (row.status === "declined") {
    const outcome: AuthorizeOutcome = {
      outcome: "declined",
      reason: detail.reason ?? "card_declined",
      message: detail.message ?? "the card was declined",
      card: detail.card ?? null,
    };
    return { outcome, payment: undefined };
  }
  const message = row.status === "in_progress" ? IN_PROGRESS : (detail.message ?? "the provider did not answer");
  return { outcome: { outcome: "unavailable", message }, payment: undefined };
}

/** Why a new authorization of this payment is not allowed, as a 409 the caller can act on. */
async function whyRefused(db: PaymentsDb, paymentId: string, now: number): Promise<Result<Authorization>> {
  const others = await db
    .select({ kind: ledger.kind, status: ledger.status, updatedAt: ledger.updatedAt })
    .from(ledger)
    .where(eq(ledger.paymentId, paymentId));
  if (others.some((r) => r.kind === "void")) return fail(409, `payment ${paymentId} was voided; a new attempt needs a new payment id`);
  if (others.some((r) => r.kind === "authorize" && r.status === "in_progress" && r.updatedAt >= now - STALE_CLAIM_MS)) {
    return fail(409, `an authorization of payment ${paymentId} is under way with another idempotency key`);
  }
  const payment = await findPayment(db, paymentId);
  if (payment === undefined) {
    return fail(
      409,
      `an earlier authorization of payment ${paymentId} has no final answer; retry it with its idempotency key, or void the payment`,
    );
  }
  return fail(
    409,
    `payment ${paymentId} is ${payment.status} already; retry with the idempotency key that authorized it, or void it first`,
  );
}
