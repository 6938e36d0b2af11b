import { sitePages } from "#shared/web/site-pages.ts";
import type { CallApi } from "./api.ts";
import { insightPages } from "./areas/insights.tsx";
import { operationsPages } from "./areas/operations.tsx";
import { orderPages } from "./areas/orders.tsx";
import { peoplePages } from "./areas/people.tsx";
import { productPages } from "./areas/products.tsx";
import { returnPages } from "./areas/returns.tsx";
import { signInPages } from "./areas/sign-in.tsx";
import { dashboardKit } from "./dashboard-kit.tsx";
import { endSession } from "./session.ts";
import { DASHBOARD_CSS, DASHBOARD_CSS_PATH } from "./styles.ts";

// Under /admin, these are the merchant API's and its document's: a browser asking for a missing one gets problem+json.
const NOT_PAGES = /^\/admin\/(v1|openapi\.json)(\/|$)/;

/**
 * The merchant dashboard: server-rendered pages (hono/jsx), forms that post and redirect, no client script.
 * Every page acts through the merchant JSON API in process, as the signed-in user.
 */
export function dashboardRoutes(callApi: CallApi) {
  const kit = dashboardKit(callApi);
  return sitePages<AdminEnv>({
    stylesheet: { path: DASHBOARD_CSS_PATH, css: DASHBOARD_CSS },
    areas: [
      signInPages(kit),
      productPages(kit),
      orderPages(kit),
      returnPages(kit),
      peoplePages(kit),
      insightPages(kit),
      operationsPages(kit),
    ],
    errors: {
      ownsPath: (path) => /^\/admin(\/|$)/.test(path) && !NOT_PAGES.test(path),
      render: kit.problemPage,
      signIn: (c) => {
        endSession(c);
        return c.redirect("/admin/sign-in", 303);
      },
    },
  });
}
