/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { Problem } from "#schema/problem.ts";
import type { ApiReply } from "#shared/web/api.ts";
import { ErrorPage, errorPageTitle, type PageProblem } from "#shared/web/error-page.tsx";
import { problemText, readForm } from "#shared/web/form.ts";
import { setPageHeaders } from "#shared/web/page-headers.ts";
import { type Api, apiFor, type CallApi } from "./api.ts";
import { Document, Layout } from "./layout.tsx";
import { csrfToken, csrfValid, flash, type PageContext, takeFlash, type Who, whoIs } from "./session.ts";

/** What a signed-in page has to work with: the API as the merchant, who they are, the CSRF token, the posted form. */
export type PageCtx = { api: Api; who: Who; csrf: string; form: Record<string, string>; files: Record<string, File> };
type Handler = (c: PageContext, ctx: PageCtx) => Promise<Response>;

/** What every area of the dashboard draws and guards with: one frame, one CSRF check, one error page. */
export function dashboardKit(callApi: CallApi) {
  /** A page in the dashboard's frame; `problem` (an API call that failed while drawing it) is shown on this page. */
  const render = (
    c: PageContext,
    ctx: { who: Who; csrf: string },
    page: { title: string; current: string; body: Child; status?: number; problem?: Problem | null },
  ) => {
    setPageHeaders(c);
    const problem = page.problem ?? null;
    const notice = problem === null ? takeFlash(c) : { kind: "bad" as const, text: problemText(problem) };
    return c.html(
      <Layout title={page.title} who={ctx.who} current={page.current} flash={notice} csrf={ctx.csrf}>
        {page.body}
      </Layout>,
      (page.status ?? 200) as 200,
    );
  };

  /** A page whose data the API refused (a 403 for a role, a 404): its words in the frame, with its status. */
  const refusedPage = (
    c: PageContext,
    ctx: { who: Who; csrf: string },
    title: string,
    current: string,
    reply: { status: number; problem: Problem },
  ) => render(c, ctx, { title, current, body: <p class="card empty">{problemText(reply.problem)}</p>, status: reply.status });

  /** A list page's status and notice from the API read it shows (an empty list with the problem above it). */
  const statusOf = (reply: ApiReply<unknown>) => ({ status: reply.status, problem: reply.ok ? null : reply.problem });

  /** A page drawn from one API read: the view of its data, or the API's refusal in its place. */
  const fromApi = <T,>(
    c: PageContext,
    ctx: { who: Who; csrf: string },
    page: { title: string; current: string },
    reply: ApiReply<T>,
    view: (data: T) => Child,
  ) => (reply.ok ? render(c, ctx, { ...page, body: view(reply.data) }) : refusedPage(c, ctx, page.title, page.current, reply));

  /** The dashboard's error page for a problem, outside the frame (there may be no session to draw it with). */
  const problemPage = (c: PageContext, problem: PageProblem): Response | Promise<Response> => {
    setPageHeaders(c);
    const home = { href: "/admin", label: "Back to the dashboard" };
    const title = errorPageTitle(problem);
    return c.html(
      <Document title={title} bodyClass="signin">
        <main class="card" id="main">
          <ErrorPage problem={problem} requestId={c.get("requestId")} home={home} />
        </main>
      </Document>,
      problem.status as 200,
    );
  };

  /** A post without this dashboard's CSRF token (or from another origin): refused, with a way back. */
  const refused = (c: PageContext) =>
    problemPage(c, {
      status: 403,
      title: "Form refused",
      detail: "This form has expired or did not come from this dashboard. Go back, reload the page and try again.",
    });

  /**
   * A page for a signed-in merchant: the session, the CSRF check on posts. What it throws (an ended session
   * too) goes to the one error path (browserErrors in ./index.tsx).
   */
  const page =
    (handler: Handler) =>
    async (c: PageContext): Promise<Response> => {
      const who = whoIs(c);
      if (who === null) return c.redirect("/admin/sign-in", 303);
      const csrf = csrfToken(c);
      const posted = c.req.method === "POST" ? await readForm(c) : { values: {}, files: {} };
      if (c.req.method === "POST" && !csrfValid(c, posted.values)) return refused(c);
      return handler(c, { api: apiFor(c, callApi), who, csrf, form: posted.values, files: posted.files });
    };

  /** After a change: back to where it was made, with what happened. */
  const done = (c: PageContext, to: string, result: { ok: boolean; problem?: Problem }, success: string) => {
    flash(
      c,
      result.ok || result.problem === undefined ? { kind: "ok", text: success } : { kind: "bad", text: problemText(result.problem) },
    );
    return c.redirect(to, 303);
  };

  return { callApi, render, refusedPage, fromApi, statusOf, problemPage, refused, page, done };
}
export type DashboardKit = ReturnType<typeof dashboardKit>;

/** A path parameter, encoded for the API path it goes into. */
export const pathParam = (c: PageContext, name: string): string => encodeURIComponent(c.req.param(name) ?? "");
