/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";

/** What a browser is told went wrong: the problem's status and, for a 4xx, its words (a 5xx's stay in the log). */
export type PageProblem = { status: number; title: string; detail?: string | undefined };

/** The error page's <title>: short, the site's frame adds its name. */
export const errorPageTitle = (p: PageProblem): string =>
  p.status === 404 ? "Not found" : p.status >= 500 ? "Something went wrong" : p.title;

const headline = (p: PageProblem): string =>
  p.status === 404 ? "We can't find that page" : p.status >= 500 ? "Something went wrong on our side" : p.title;

const explanation = (p: PageProblem): string => {
  if (p.status === 404) return "It may have moved, or the link is mistyped.";
  if (p.status >= 500) return "Please try again in a moment. If it keeps happening, tell us this reference:";
  return p.detail ?? "This request could not be completed.";
};

/**
 * The one error page of both sites (a problem details response, for people): the request id to quote to support,
 * and the way back. Each site draws it in its own frame.
 */
export const ErrorPage: FC<{ problem: PageProblem; requestId: string; home: { href: string; label: string } }> = ({
  problem,
  requestId,
  home,
}) => (
  <div class="narrow center">
    <h1>{headline(problem)}</h1>
    <p class="lede">{explanation(problem)}</p>
    <p class="muted">
      Reference <code>{requestId}</code>
    </p>
    <a class="btn primary" href={home.href}>
      {home.label}
    </a>
  </div>
);
