import type { Context } from "hono";
import { CLIENT_IP_HEADER, clientKey } from "./client.ts";
import type { EdgeBindings, EdgeEnv } from "./edge-app.ts";
import { ProblemError, problem } from "./problem.ts";
import { type Guard, problemDoc } from "./route-guard.ts";

/** The Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml). */
export type RateLimiter = { limit(options: { key: string }): Promise<{ success: boolean }> };

/**
 * Every `[[ratelimits]]` of the platform counts per 60 s (the binding allows 10 or 60); a system test
 * checks the configs say so. The binding gives no reset time, so Retry-After is the rest of the current
 * window, as windows are aligned to the clock.
 */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

const retryAfterSeconds = (now = Date.now()): number =>
  Math.max(1, Math.ceil(RATE_LIMIT_PERIOD_SECONDS - ((now / 1000) % RATE_LIMIT_PERIOD_SECONDS)));

/**
 * Counts one of `what` against the request's client (an IPv4 address, or an IPv6 /64); past the limit, throws
 * the 429 problem with Retry-After. For a guard that counts only some outcomes (e.g. failed attempts).
 */
export async function countClient<B extends EdgeBindings>(c: Context<EdgeEnv<B>>, limiter: RateLimiter, what: string): Promise<void> {
  const { success } = await limiter.limit({ key: clientKey(c.req.header(CLIENT_IP_HEADER)) });
  if (success) return;
  const retryAfter = retryAfterSeconds();
  const detail = `too many ${what} from your address; try again in ${retryAfter} s`;
  throw new ProblemError({ ...problem(429, detail), extensions: { retryAfter } });
}

/**
 * A per-client limit on a route (an IPv4 address, or an IPv6 /64, counts as one client): past it, 429
 * problem+json with Retry-After. `applies` narrows it to the requests that cost (e.g. only searches).
 */
export function perClientLimit<B extends EdgeBindings>(options: {
  what: string;
  limiter: (env: B) => RateLimiter;
  applies?: (c: Context<EdgeEnv<B>>) => boolean;
}): Guard<B> {
  return {
    middleware: async function rateLimit(c, next) {
      if (options.applies !== undefined && !options.applies(c)) return next();
      await countClient(c, options.limiter(c.env), options.what);
      return next();
    },
    responses: { 429: problemDoc(`Too many ${options.what} from this client; see Retry-After`) },
  };
}
