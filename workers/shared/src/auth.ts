import type { Context, MiddlewareHandler } from "hono";
import { createLocalJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { z } from "zod";
import { type Caller, Role, type VerificationKeys } from "../../../schema/identity/dto.ts";
import type { EdgeBindings, EdgeEnv } from "./edge-app.ts";
import { ProblemError, problem } from "./problem.ts";

type RoleName = z.infer<typeof Role>;
type KeysSource<B> = (env: B) => Promise<VerificationKeys>;

// Verification keys are cached in the isolate: no call to identity on the hot path. An unknown `kid`
// (a key rotated in since) refreshes them, at most once per REFRESH_FLOOR_MS.
const TTL_MS = 5 * 60_000;
const REFRESH_FLOOR_MS = 30_000;
let cached: { at: number; keys: VerificationKeys; jwks: ReturnType<typeof createLocalJWKSet> } | undefined;

async function keysFor<B>(env: B, source: KeysSource<B>, force: boolean): Promise<NonNullable<typeof cached>> {
  const now = Date.now();
  if (cached !== undefined && (force ? now - cached.at < REFRESH_FLOOR_MS : now - cached.at < TTL_MS)) return cached;
  const keys = await source(env);
  cached = { at: now, keys, jwks: createLocalJWKSet({ keys: keys.keys as Parameters<typeof createLocalJWKSet>[0]["keys"] }) };
  return cached;
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
      const { payload } = await jwtVerify(token, jwks, { issuer: keys.issuer, audience: keys.audience, algorithms: ["ES256"] });
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
export function requireCaller<B extends EdgeBindings>(options: {
  keys: KeysSource<B>;
  roles?: readonly RoleName[];
  /** Let requests without an Authorization header through as anonymous (a bad token is still a 401). */
  optional?: boolean;
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
