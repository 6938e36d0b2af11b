import type { Context } from "hono";
import type { Caller } from "#schema/identity/dto.ts";
import { callerGuard, callerOf } from "#shared/auth.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { ProblemError, problem } from "#shared/problem.ts";
import { countClient } from "#shared/rate-limit.ts";
import type { Guard } from "#shared/route-guard.ts";
import { problemDoc } from "#shared/route-guard.ts";
import { looksLikeApiKey, useKey } from "./api-keys/store.ts";

const MERCHANT_ROLES = ["merchant_staff", "merchant_owner", "platform_admin"] as const;
const verificationKeys = (env: AdminEnv) => env.IDENTITY.verificationKeys();

/**
 * A token names the role and merchant its bearer had when it was issued (up to 15 minutes ago). Every admin
 * request holds that against identity's record now (one primary-key read): a member removed or demoted since is
 * refused at once, and the 401 makes a client refresh into the role it has now (a removed member's sessions are
 * revoked, so theirs cannot).
 */
async function roleTakenAway(c: Context<EdgeEnv<AdminEnv>>, caller: Caller): Promise<string | null> {
  const now = await c.env.IDENTITY.standing(caller.userId, { requestId: c.get("requestId") });
  if (!now.ok) return now.problem.detail ?? now.problem.title;
  if (now.value.role === caller.role && now.value.merchantId === caller.merchantId) return null;
  return "your role or merchant has changed since this token was issued: refresh it, or sign in again";
}

const merchantJwt = callerGuard<AdminEnv>({ keys: verificationKeys, roles: MERCHANT_ROLES, revoked: roleTakenAway });

const bearer = (header: string | undefined): string => (header?.startsWith("Bearer ") ? header.slice(7).trim() : "");
const rejected = (status: number, detail: string, extensions?: Record<string, string | number>) =>
  new ProblemError({ ...problem(status, detail), ...(extensions ? { extensions } : {}) });

/**
 * Every merchant route: a merchant's (or platform admin's) access token, or a merchant API key (`ek_…`). A key
 * acts as staff of its merchant; GET is read, everything else needs a write key; each key has its own quota per
 * minute (429 + Retry-After) and its use is counted per day. A shopper's token is a 403.
 */
export const merchantOnly: Guard<AdminEnv> = {
  middleware: async function merchantAccess(c, next) {
    const token = bearer(c.req.header("Authorization"));
    if (!looksLikeApiKey(token)) return merchantJwt.middleware(c, next);
    const use = await useKey(c.env, token, c.req.method === "GET" || c.req.method === "HEAD" ? "read" : "write", {
      requestId: c.get("requestId"),
    });
    if (!use.ok) {
      if (use.reason === "unknown") {
        // Only failures count: a client that keeps guessing meets a 429 before its next 401.
        await countClient(c, c.env.LIMIT_API_KEY_FAILURES, "failed API key attempts");
        throw rejected(401, "this API key is not valid (revoked, or mistyped)", { wwwAuthenticate: 'Bearer error="invalid_token"' });
      }
      if (use.reason === "scope") throw rejected(403, "this API key is read-only: create a write key to change anything");
      throw rejected(429, `this API key's quota of ${use.quotaPerMinute} requests a minute is used up; try again in ${use.retryAfter} s`, {
        retryAfter: use.retryAfter,
      });
    }
    const caller: Caller = {
      userId: `apikey:${use.keyId}`,
      role: "merchant_staff",
      merchantId: use.merchantId,
      issuedAt: Math.floor(Date.now() / 1000),
    };
    c.set("caller", caller);
    await next();
  },
  security: [{ bearerAuth: [] }],
  responses: {
    401: problemDoc("Not signed in, or the token or API key is not valid"),
    403: problemDoc(`Needs one of the roles ${MERCHANT_ROLES.join(", ")} (or a write key for a change)`),
    429: problemDoc("This API key's quota is used up, or too many failed key attempts from this client; see Retry-After"),
  },
};

/** Staff and API keys are the owner's business: staff and keys get a 403 (after merchantOnly). */
export const ownerOnly: Guard<AdminEnv> = {
  middleware: async function ownerOnly(c, next) {
    const caller = callerOf(c);
    if (caller.role !== "merchant_owner" || caller.merchantId === null) {
      throw new ProblemError(403, "only the merchant's owner manages staff and API keys");
    }
    await next();
  },
  responses: { 403: problemDoc("Only the merchant's owner") },
};

/** Dead letters and their replay are the platform's operators' business, not a merchant's. */
export const platformAdminOnly = callerGuard<AdminEnv>({ keys: verificationKeys, roles: ["platform_admin"], revoked: roleTakenAway });

/** Which merchant's records the caller acts on: its own, or (a platform admin) any: null. */
export function merchantScope(caller: Caller): string | null {
  if (caller.role === "platform_admin") return null;
  if (caller.merchantId === null) throw new ProblemError(403, "your account belongs to no merchant");
  return caller.merchantId;
}

/** The owner's merchant (ownerOnly has checked there is one). */
export const ownMerchant = (caller: Caller): string => caller.merchantId ?? "";
