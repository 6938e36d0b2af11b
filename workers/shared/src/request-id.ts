export const REQUEST_ID_HEADER = "X-Request-Id";

// A caller's id is kept when it is short and plain (so it cannot smuggle anything into logs or headers);
// otherwise a fresh one is made.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER);
  return given !== null && ACCEPTABLE.test(given) ? given : crypto.randomUUID();
}

/** What a Worker passes along with every RPC call so the callee logs under the same request id. */
export type CallContext = { requestId: string };
