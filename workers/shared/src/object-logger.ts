import { z } from "zod";
import { RequestId } from "#schema/request-id.ts";
import { createLogger, type Logger, parseLogLevel } from "./logger.ts";
import type { CallContext } from "./request-id.ts";

// What an object is handed is checked like any boundary input: an id that is not plain is not logged.
const GivenCall = z.looseObject({ requestId: RequestId }).optional().catch(undefined);

/**
 * A Durable Object's logger for one call: its lines carry the caller's request id and the object's class (`object`),
 * so one request can be followed into the objects it touched. A call without a context (an alarm, an old caller)
 * logs without a request id rather than inventing one.
 */
export function objectLogger(service: string, object: string, logLevel: string | undefined, call?: CallContext, fields = {}): Logger {
  const given = GivenCall.parse(call);
  return createLogger(service, parseLogLevel(logLevel), { ...(given ? { requestId: given.requestId } : {}), object, ...fields });
}
