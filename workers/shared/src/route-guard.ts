import type { RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { ProblemResponse } from "#schema/problem.ts";
import type { EdgeBindings, EdgeEnv } from "./edge-app.ts";

const problemJson = { content: { "application/problem+json": { schema: ProblemResponse } } };
type ProblemResponseSpec = { description: string; content: typeof problemJson.content };
/** An OpenAPI response entry for a problem+json answer (not a Response: that is problemResponse in problem.ts). */
export const problemDoc = (description: string): ProblemResponseSpec => ({ description, ...problemJson });

/**
 * Something a route requires before its handler runs (a signed-in caller, a per-client limit): the check
 * itself, and what it adds to the route's OpenAPI document (security, the problems it answers). Both come
 * from here, so the document cannot claim a check the route does not make, nor miss one it does.
 */
export type Guard<B extends EdgeBindings> = {
  middleware: MiddlewareHandler<EdgeEnv<B>>;
  security?: Record<string, string[]>[];
  responses: Record<number, ProblemResponseSpec>;
};

/** The route with its guards' checks run first (in order, before input validation) and documented. */
export function guarded<R extends RouteConfig, B extends EdgeBindings>(
  route: R,
  ...guards: Guard<B>[]
): R & { middleware: MiddlewareHandler<EdgeEnv<B>>[] } {
  const security = guards.find((g) => g.security !== undefined)?.security;
  const own = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
  return {
    ...route,
    middleware: [...guards.map((g) => g.middleware), ...own],
    ...(security === undefined ? {} : { security }),
    responses: { ...Object.assign({}, ...guards.map((g) => g.responses)), ...route.responses },
  };
}
