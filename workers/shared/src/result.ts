import type { Problem, ProblemExtension } from "#schema/problem.ts";
import { ProblemError, problem } from "./problem.ts";

// RPC across Service Bindings keeps an error's message but not its class, so services return expected
// failures (not found, bad cursor…) as values and the caller turns them back into problems.
export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
/** An expected failure; `extra` adds RFC 9457 extension members (e.g. `available` on a 409). */
export const fail = <T = never>(status: number, detail: string, field?: string, extra?: Record<string, ProblemExtension>): Result<T> => ({
  ok: false,
  problem: {
    ...problem(status, detail, field === undefined ? undefined : [{ field, message: detail }]),
    ...(extra ? { extensions: extra } : {}),
  },
});

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ProblemError(result.problem);
}
