import { type ChargeOutcome, IdempotencyKey } from "#schema/payments.ts";
import { parseInput } from "#shared/parse.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { authorizeWithPayment } from "./authorize.ts";
import { capturePayment } from "./capture.ts";
import { type CallDeps, onShard } from "./db.ts";

/**
 * Authorizes and, when authorized, captures at once: one RPC instead of two on the checkout's hot path, and
 * the capture starts from the payment row the authorization wrote instead of reading it again. Each step is
 * exactly the separate call (its own key, its own ledger row), so a retry of `charge`, or a `capture` with
 * the capture key, replays what was recorded. A provider that authorizes and captures in one call could be
 * used here later.
 */
export async function charge(deps: CallDeps, req: unknown, captureKeyArg: unknown): Promise<Result<ChargeOutcome>> {
  // Checked before any money is held: a capture that can only fail must not follow an authorization.
  const captureKey = parseInput(IdempotencyKey, captureKeyArg, "captureKey");
  if (!captureKey.ok) return captureKey;
  if (typeof req === "object" && req !== null && "idempotencyKey" in req && req.idempotencyKey === captureKey.value) {
    return fail(422, "captureKey must differ from the authorization's idempotencyKey", "captureKey");
  }

  const authorization = await authorizeWithPayment(deps, req);
  if (!authorization.ok) return authorization;
  const { outcome: authorized, payment } = authorization.value;
  if (authorized.outcome !== "authorized" || payment === undefined) return ok({ authorized, capture: null });
  // On the shard the authorization wrote the payment to (its id names one, or it would have been refused).
  const itsShard = onShard(deps, payment.paymentId);
  if (itsShard === null) return ok({ authorized, capture: null });

  const capture = await capturePayment(itsShard, payment, captureKey.value);
  if (!capture.ok) return capture;
  // The answer is the payment as it is now, in both parts: the same a retry of this charge gives.
  if (capture.value.outcome === "captured")
    return ok({ authorized: { ...authorized, payment: capture.value.payment }, capture: capture.value });
  return ok({ authorized, capture: capture.value });
}
