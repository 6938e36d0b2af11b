import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Env as HonoEnv } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import { secureHeaders } from "hono/secure-headers";
import type { Caller } from "#schema/identity/dto.ts";
import { createLogger, errorFields, type Logger, parseLogLevel } from "./logger.ts";
import { type MetricsDataset, recordMetric, type WaitUntil } from "./metrics/record.ts";
import { invalidInput } from "./parse.ts";
import { ProblemError, problem, problemResponse } from "./problem.ts";
import { REQUEST_ID_HEADER, requestIdFrom } from "./request-id.ts";

/** Bindings every edge Worker (storefront, admin) reads for its cross-cutting behaviour. */
export type EdgeBindings = { LOG_LEVEL: string; CORS_ORIGINS: string; METRICS?: MetricsDataset };
export type EdgeVariables = { requestId: string; log: Logger; caller: Caller | undefined };
export type EdgeEnv<B extends EdgeBindings> = { Bindings: B; Variables: EdgeVariables };

export type EdgeAppOptions = {
  service: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
};

export function allowedOrigin(configured: string, origin: string): string | null {
  const list = configured
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.includes("*")) return origin || "*";
  return list.includes(origin) ? origin : null;
}

function toProblemResponse<E extends HonoEnv & { Variables: EdgeVariables }>(err: unknown, c: Context<E>): Response {
  const requestId = c.get("requestId");
  const headers = { [REQUEST_ID_HEADER]: requestId };
  if (err instanceof ProblemError) {
    // Some extension members are HTTP headers too: Retry-After on a 429, WWW-Authenticate on a 401.
    const { retryAfter, wwwAuthenticate, ...extensions } = err.problem.extensions ?? {};
    const extra: Record<string, string> = {};
    if (retryAfter !== undefined) extra["Retry-After"] = String(retryAfter);
    if (wwwAuthenticate !== undefined) extra["WWW-Authenticate"] = String(wwwAuthenticate);
    const body = { ...err.problem, requestId, extensions: retryAfter === undefined ? extensions : { ...extensions, retryAfter } };
    return problemResponse(body, { ...headers, ...extra });
  }
  if (err instanceof HTTPException) {
    const detail = err.status === 413 ? "request body is too large" : err.message || undefined;
    return problemResponse({ ...problem(err.status, detail), requestId }, headers);
  }
  c.get("log").error("unhandled error", { path: c.req.path, ...errorFields(err) });
  return problemResponse({ ...problem(500, "something went wrong on our side; quote the requestId"), requestId }, headers);
}

/**
 * A group of routes (one file's worth) to mount on an edge app with `app.route("/", router)`: bad input
 * becomes the same 400 problem everywhere, and errors go to the app's one onError.
 */
export function createRouter<B extends EdgeBindings>() {
  return new OpenAPIHono<EdgeEnv<B>>({
    defaultHook: (result) => {
      if (!result.success) throw new ProblemError(invalidInput(result.error, result.target));
    },
  });
}

/**
 * The route pattern that answered (`/v1/products/:slug`), never the raw path: a metric's labels stay as few as
 * the routes. After `next()` the route index is the handler's that answered; only this middleware matched: none.
 */
function routeLabel(c: Context): string {
  const path = routePath(c);
  return path === "" || path === "*" || path === "/*" ? "(no route)" : path;
}

function waitUntilOf(c: Context): WaitUntil | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return undefined; // app.request() in a unit test has no execution context
  }
}

/** An OpenAPI-aware Hono app with the platform's cross-cutting behaviour wired in, in a fixed order. */
export function createEdgeApp<B extends EdgeBindings>(options: EdgeAppOptions) {
  const app = createRouter<B>();

  app.use("*", async function requestContext(c, next) {
    const requestId = requestIdFrom(c.req.raw.headers);
    const log = createLogger(options.service, parseLogLevel(c.env.LOG_LEVEL), { requestId });
    c.set("requestId", requestId);
    c.set("log", log);
    const started = Date.now();
    await next();
    c.header(REQUEST_ID_HEADER, requestId);
    const ms = Date.now() - started;
    recordMetric(
      c.env.METRICS,
      { kind: "request", service: options.service, route: routeLabel(c), method: c.req.method, ms, status: c.res.status },
      waitUntilOf(c),
    );
    if (log.enabled("debug")) {
      log.debug("request", { method: c.req.method, path: c.req.path, status: c.res.status, ms: Date.now() - started });
    }
  });
  // Defaults for every response; a header a route sets itself (the pages' Referrer-Policy: same-origin, so their
  // forms post with a real Origin rather than "null") is kept.
  app.use("*", secureHeaders({ crossOriginResourcePolicy: "cross-origin", overwrite: false }));
  app.use("*", (c, next) =>
    cors({
      origin: (origin) => allowedOrigin(c.env.CORS_ORIGINS, origin),
      allowHeaders: ["Content-Type", "Authorization", "Idempotency-Key", "X-Cart-Token", "X-Order-Token", REQUEST_ID_HEADER],
      exposeHeaders: [REQUEST_ID_HEADER, "ETag", "Retry-After"],
      maxAge: 600,
    })(c, next),
  );
  app.use(
    "*",
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 64 * 1024,
      onError: () => {
        throw new ProblemError(413, `request body is larger than ${options.maxBodyBytes ?? 64 * 1024} bytes`);
      },
    }),
  );

  app.onError((err, c) => toProblemResponse(err, c));
  app.notFound((c) => {
    const requestId = c.get("requestId");
    return problemResponse(
      { ...problem(404, `no route for ${c.req.method} ${c.req.path}`), requestId },
      { [REQUEST_ID_HEADER]: requestId },
    );
  });
  return app;
}
