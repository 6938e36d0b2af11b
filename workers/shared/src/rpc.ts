import { createLogger, errorFields, parseLogLevel } from "./logger.ts";
import type { CallContext } from "./request-id.ts";
import type { Result } from "./result.ts";

/**
 * Runs one RPC method of a service: logs it under the caller's request id (debug: method, outcome, time;
 * warn: a refusal such as a throttled sign-in), and logs an unexpected error before letting it go.
 */
export async function traceRpc<T>(
  service: string,
  logLevel: string | undefined,
  call: (CallContext & Record<string, unknown>) | undefined,
  method: string,
  body: () => Promise<Result<T>>,
): Promise<Result<T>> {
  const log = createLogger(service, parseLogLevel(logLevel), { requestId: call?.requestId });
  const started = Date.now();
  try {
    const result = await body();
    if (log.enabled("debug")) log.debug("rpc", { method, ok: result.ok, ms: Date.now() - started });
    if (!result.ok && result.problem.status === 429) log.warn("rpc refused", { method, status: 429, clientIp: call?.clientIp });
    return result;
  } catch (err) {
    log.error("rpc failed", { method, ...errorFields(err) });
    throw err;
  }
}
