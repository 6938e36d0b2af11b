/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { TtlCache } from "#shared/ttl-cache.ts";
import type { CallApi } from "#shared/web/api.ts";
import { ErrorPage, errorPageTitle, type PageProblem } from "#shared/web/error-page.tsx";
import { readForm } from "#shared/web/form.ts";
import { PAGE_CSP, setPageHeaders } from "#shared/web/page-headers.ts";
import { categoriesOf, type ShopApi, type ShopContext, sameOrigin, shopApi, shopSession } from "./context.ts";
import { Page } from "./layout.tsx";

// Pages that are the same for everyone are cached like the API's reads: in the isolate (fresh, then served stale
// while one request renders it again) and downstream (max-age). A merchant's change shows within 10 s; the
// product page's availability is at most 4 s old (the API's is live, and checkout checks again). Anything
// personal is never stored.
export const PUBLIC = "public, max-age=4";
export const PRODUCT = "public, max-age=2";
type Rendered = { status: number; body: string; cache: string };
export const publicPages = new TtlCache<Rendered>(3_000, 1_000, 3_000);
export const productPages = new TtlCache<Rendered>(2_000, 5_000, 2_000);

export type Render = {
  title: string;
  body: Child;
  status?: number;
  cache?: string;
  current?: string;
  q?: string;
  /** A page that loads scripts says so, with the policy that lets exactly those in. */
  scripts?: { urls: string[]; csp: string };
};

/** What every area of the shop's pages draws and guards with: one frame, one cache, one error page. */
export function shopKit(callApi: CallApi<StorefrontEnv>) {
  const html = async (c: ShopContext, api: ShopApi, r: Render): Promise<Response> => {
    const categories = await categoriesOf(api);
    setPageHeaders(c, { csp: r.scripts?.csp ?? PAGE_CSP, cache: r.cache ?? "no-store" });
    const flash = r.cache === undefined ? shopSession.takeFlash(c) : null;
    return c.html(
      <Page title={r.title} categories={categories} current={r.current} q={r.q} flash={flash} scripts={r.scripts?.urls}>
        {r.body}
      </Page>,
      (r.status ?? 200) as 200,
    );
  };

  /** A page that is the same for everyone, from the isolate's cache when it has it (only a 200 is kept). */
  const cachedPage = async (c: ShopContext, cache: TtlCache<Rendered>, key: string, render: () => Promise<Response>): Promise<Response> => {
    const page = await cache.getOrLoad(
      key,
      async () => {
        const res = await render();
        return { status: res.status, body: await res.text(), cache: res.headers.get("Cache-Control") ?? "no-store" };
      },
      (r) => r.status === 200,
    );
    setPageHeaders(c, { cache: page.cache });
    return c.html(page.body, page.status as 200);
  };

  /**
   * Every page: a post must come from this shop; the handler gets the API as the shopper (or anonymously). What
   * it throws goes to the one error path (browserErrors in ./index.tsx).
   */
  const page =
    (handler: (c: ShopContext, api: ShopApi) => Promise<Response>, options: { anonymous?: boolean } = {}) =>
    async (c: ShopContext): Promise<Response> => {
      if (c.req.method === "POST" && !sameOrigin(c)) return c.text("This form did not come from this shop.", 403);
      return handler(c, shopApi(c, callApi, options.anonymous === true));
    };

  /** The shop's error page for a problem: in the shop's frame, with the request id to quote. */
  const problemPage = (c: ShopContext, problem: PageProblem): Promise<Response> =>
    html(c, shopApi(c, callApi, true), {
      title: errorPageTitle(problem),
      body: <ErrorPage problem={problem} requestId={c.get("requestId")} home={{ href: "/", label: "Back to the shop" }} />,
      status: problem.status,
    });

  const notFound = (c: ShopContext): Promise<Response> => problemPage(c, { status: 404, title: "Not Found" });

  /** The posted form's fields (the shop's forms carry no files). */
  const form = async (c: ShopContext): Promise<Record<string, string>> => (await readForm(c)).values;

  return { callApi, html, cachedPage, page, problemPage, notFound, form };
}
export type ShopKit = ReturnType<typeof shopKit>;

/** A path parameter (the page wrapper does not carry the route's path types). */
export const param = (c: ShopContext, name: string): string => c.req.param(name) ?? "";
