import { errorFields } from "#shared/logger.ts";
import type { Deps } from "./db.ts";
import type { Unavailable } from "./provider.ts";

/**
 * Calls a provider adapter. Adapters answer failures as values; should one throw anyway (a bug), the claim
 * must not stay `in_progress` until it goes stale: the operation is `unavailable` and may be retried.
 */
export async function askProvider<A extends { status: string }>(
  deps: Deps,
  what: { operation: string; paymentId: string; provider: string },
  call: () => Promise<A>,
): Promise<A | Unavailable> {
  let answer: A | Unavailable;
  try {
    answer = await call();
  } catch (err) {
    deps.log.error("provider adapter threw", { ...what, ...errorFields(err) });
    answer = { status: "unavailable", message: `${what.provider} adapter failed` };
  }
  if (answer.status === "unavailable")
    deps.log.warn("provider unavailable", { ...what, message: "message" in answer ? answer.message : "" });
  else deps.log.info("provider answered", { ...what, status: answer.status });
  return answer;
}
