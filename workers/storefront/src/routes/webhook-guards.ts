import type { Context } from "hono";
import { timestampedSignatureParts } from "#shared/crypto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { ProblemError } from "#shared/problem.ts";
import { perClientLimit } from "#shared/rate-limit.ts";
import { type Guard, problemDoc } from "#shared/route-guard.ts";

// Who calls a webhook is a provider, from a handful of addresses: the client is the sending address, and its
// budget (LIMIT_WEBHOOKS) is shared by the payment and carrier webhooks, which no one address calls both of.
export const webhookLimit = perClientLimit<StorefrontEnv>({ what: "webhook deliveries", limiter: (env) => env.LIMIT_WEBHOOKS });

/**
 * Refuses (401) a delivery that carries no signature of its provider's scheme, before its body is read or any
 * Worker is called: `why` says what is missing, or null when the headers are there to be checked by their owner.
 */
export function signedDelivery(why: (c: Context<EdgeEnv<StorefrontEnv>>) => string | null): Guard<StorefrontEnv> {
  return {
    middleware: async function signedDelivery(c, next) {
      const missing = why(c);
      if (missing !== null) throw new ProblemError(401, `webhook refused: ${missing}`);
      return next();
    },
    responses: { 401: problemDoc("Unsigned, forged or stale: refused, and nothing changed") },
  };
}

/** Why a `t=<unix>,v1=<hex>` header (Stripe's scheme, and the carrier's) cannot be a signature, or null. */
export function timestampedSignatureMissing(header: string | undefined): string | null {
  const parts = timestampedSignatureParts(header);
  return typeof parts === "string" ? parts : null;
}
