import { REQUEST_ID_PATTERN } from "#schema/request-id.ts";

export const REQUEST_ID_HEADER = "X-Request-Id";

// A caller's id is kept when it is short and plain (so it cannot smuggle anything into logs or headers);
// otherwise a fresh one is made.
export function requestIdFrom(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER);
  return given !== null && REQUEST_ID_PATTERN.test(given) ? given : crypto.randomUUID();
}

/** What a Worker passes along with every RPC or Durable Object call so the callee logs under the same request id. */
export type CallContext = { requestId: string };
