import type { Context, MiddlewareHandler } from "hono";
import { createLocalJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { z } from "zod";
import { ACCESS_TOKEN_TYPE, type Caller, Role, type VerificationKeys } from "#schema/identity/dto.ts";
import type { EdgeBindings, EdgeEnv } from "./edge-app.ts";
import { ProblemError, problem } from "./problem.ts";
import { type Guard, problemDoc } from "./route-guard.ts";

type RoleName = z.infer<typeof Role>;
type KeysSource<B> = (env: B) => Promise<VerificationKeys>;

// Verification keys are cached in the isolate: no call to identity on the hot path. An unknown `kid`
// (a key rotated in since) refreshes them, at most once per REFRESH_FLOOR_MS.
const TTL_MS = 5 * 60_000;
const REFRESH_FLOOR_MS = 30_000;
type KeySet = { at: number; keys: VerificationKeys; jwks: ReturnType<typeof createLocalJWKSet> };
let cached: KeySet | undefined;
// Requests that find the keys stale at the same moment share one call to identity.
let inFlight: Promise<KeySet> | undefined;

async function keysFor<B>(env: B, source: KeysSource<B>, force: boolean): Promise<KeySet> {
  const now = Date.now();
  if (cached !== undefined && (force ? now - cached.at < REFRESH_FLOOR_MS : now - cached.at < TTL_MS)) return cached;
  inFlight ??= source(env)
    .then((keys) => {
      cached = { at: Date.now(), keys, jwks: createLocalJWKSet({ keys: keys.keys as Parameters<typeof createLocalJWKSet>[0]["keys"] }) };
      return cached;
    })
    .finally(() => {
      inFlight = undefined;
    });
  return inFlight;
}

const Claims = z.object({ sub: z.string().min(1), role: Role, merchantId: z.string().optional(), iat: z.number() });

const unauthorized = (detail: string): ProblemError => {
  const p = new ProblemError({ ...problem(401, detail), extensions: { wwwAuthenticate: 'Bearer error="invalid_token"' } });
  return p;
};

async function verify<B>(token: string, env: B, source: KeysSource<B>): Promise<JWTPayload> {
  for (const force of [false, true]) {
    const { keys, jwks } = await keysFor(env, source, force);
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: keys.issuer,
        audience: keys.audience,
        algorithms: ["ES256"],
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ["exp", "iat", "sub"],
      });
      return payload;
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey && !force) continue;
      if (err instanceof errors.JWTExpired) throw unauthorized("the access token has expired; refresh it");
      throw unauthorized("the access token is not valid");
    }
  }
  throw unauthorized("the access token is not valid");
}

/**
 * Requires a valid access token (`Authorization: Bearer …`) and, when `roles` is given, one of those roles.
 * Routes then read the caller from `c.get("caller")`. 401 for a missing or bad token, 403 for a role
 * that may not.
 */
function requireCaller<B extends EdgeBindings>(options: {
  keys: KeysSource<B>;
  roles?: readonly RoleName[];
  /** Let requests without an Authorization header through as anonymous (a bad token is still a 401). */
  optional?: boolean;
  /**
   * Asked after the signature and role checks: why this still-unexpired token no longer speaks for its bearer
   * (the role it names was taken away since), or null. A reason is a 401, so a client refreshes or signs in again.
   */
  revoked?: (c: Context<EdgeEnv<B>>, caller: Caller) => Promise<string | null>;
}): MiddlewareHandler<EdgeEnv<B>> {
  return async function authenticate(c, next) {
    const header = c.req.header("Authorization") ?? "";
    if (header === "" && options.optional === true) return next();
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header);
    if (match?.[1] === undefined) throw unauthorized("sign in first: send Authorization: Bearer <access token>");
    const claims = Claims.safeParse(await verify(match[1], c.env, options.keys));
    if (!claims.success) throw unauthorized("the access token is not valid");
    const caller: Caller = {
      userId: claims.data.sub,
      role: claims.data.role,
      merchantId: claims.data.merchantId ?? null,
      issuedAt: claims.data.iat,
    };
    if (options.roles !== undefined && !options.roles.includes(caller.role)) {
      throw new ProblemError(403, `this needs one of the roles ${options.roles.join(", ")}; you are signed in as ${caller.role}`);
    }
    const revoked = options.revoked === undefined ? null : await options.revoked(c, caller);
    if (revoked !== null) throw unauthorized(revoked);
    c.set("caller", caller);
    await next();
  };
}

/** The verified caller of a route behind requireCaller (a 401 if the route was reached without one). */
export function callerOf<B extends EdgeBindings>(c: Context<EdgeEnv<B>>): Caller {
  const caller = c.get("caller");
  if (caller === undefined) throw unauthorized("sign in first: send Authorization: Bearer <access token>");
  return caller;
}

/** A route guard for `guarded(route, …)`: the caller check of requireCaller, and its OpenAPI security. */
export function callerGuard<B extends EdgeBindings>(options: Parameters<typeof requireCaller<B>>[0]): Guard<B> {
  const responses: Guard<B>["responses"] = {
    401: problemDoc(options.optional === true ? "The access token is not valid" : "Not signed in, or the access token is not valid"),
  };
  if (options.roles !== undefined) responses[403] = problemDoc(`Needs one of the roles ${options.roles.join(", ")}`);
  return {
    middleware: requireCaller(options),
    // Optional auth is "anonymous, or a bearer token" in OpenAPI terms.
    security: options.optional === true ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }],
    responses,
  };
}
