import type { z } from "zod";
import type { FieldProblem, Problem } from "#schema/problem.ts";
import { problem } from "./problem.ts";
import { ok, type Result } from "./result.ts";

type Issues = { issues: readonly { path: readonly PropertyKey[]; message: string }[] };

/**
 * The one way a zod failure becomes a problem: 400, every offending field named (`errors[]`), and a detail
 * that reads as one sentence of what to fix. `location` names the input when an issue has no path
 * (a whole body that is not an object, a query that is not there).
 */
export function invalidInput(error: Issues, location: string): Problem {
  const errors: FieldProblem[] = error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join(".") : location,
    message: issue.message,
  }));
  return problem(400, errors.map((e) => `${e.field}: ${e.message}`).join("; ") || `${location} is invalid`, errors);
}

/** Parses input at a boundary (an HTTP body, an RPC argument, a queue message) into a value or a 400 problem. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, location = "body"): Result<T> {
  const parsed = schema.safeParse(value);
  return parsed.success ? ok(parsed.data) : { ok: false, problem: invalidInput(parsed.error, location) };
}
