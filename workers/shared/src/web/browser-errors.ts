import type { Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { EdgeBindings, EdgeEnv } from "../edge-app.ts";
import { errorFields } from "../logger.ts";
import { ProblemError } from "../problem.ts";
import { SignedOut } from "./api.ts";
import type { PageProblem } from "./error-page.tsx";

/** A browser asking for a page (API clients, and fetches that want JSON, keep problem+json). */
export const wantsHtml = (c: Context): boolean => (c.req.header("Accept") ?? "").includes("text/html");

const problemOf = (err: Error): PageProblem => {
  if (err instanceof ProblemError) return { status: err.problem.status, title: err.problem.title, detail: err.problem.detail };
  if (err instanceof HTTPException) return { status: err.status, title: err.message || "Request refused" };
  return { status: 500, title: "Internal Server Error" };
};

/**
 * The one error path of a site's pages: whatever a page handler throws becomes the site's error page for a
 * browser (500 with the request id, or the problem's own 4xx), an ended session a way to sign in again, and any
 * GET under the site's pages that no route answers the friendly 404. Anything else (an API client, a path the
 * pages do not own) goes on to the app's problem+json. Call it after the page routes are mounted on `app`.
 */
export function browserErrors<B extends EdgeBindings>(
  app: Hono<EdgeEnv<B>>,
  site: {
    /** Paths the pages own: the 404 page is theirs; every other path keeps the API's answer. */
    ownsPath: (path: string) => boolean;
    render: (c: Context<EdgeEnv<B>>, problem: PageProblem) => Response | Promise<Response>;
    signIn: (c: Context<EdgeEnv<B>>) => Response;
  },
): void {
  app.onError((err, c) => {
    if (err instanceof SignedOut) return site.signIn(c);
    const problem = problemOf(err);
    if (!wantsHtml(c)) throw err;
    if (problem.status >= 500) c.get("log").error("page failed", { path: c.req.path, ...errorFields(err) });
    return site.render(c, problem);
  });
  app.get("*", async (c, next) => {
    if (!site.ownsPath(c.req.path) || !wantsHtml(c)) return next();
    return site.render(c, { status: 404, title: "Not Found" });
  });
}
