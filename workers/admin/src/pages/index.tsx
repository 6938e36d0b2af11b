import { Hono } from "hono";
import type { EdgeEnv } from "../../../shared/src/edge-app.ts";
import { browserErrors } from "../../../shared/src/web/browser-errors.ts";
import { immutableAsset } from "../../../shared/src/web/immutable-asset.ts";
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
  const app = new Hono<EdgeEnv<AdminEnv>>();

  app.get(DASHBOARD_CSS_PATH, immutableAsset(DASHBOARD_CSS, "text/css; charset=utf-8"));

  app.route("/", signInPages(kit));
  app.route("/", productPages(kit));
  app.route("/", orderPages(kit));
  app.route("/", returnPages(kit));
  app.route("/", peoplePages(kit));
  app.route("/", insightPages(kit));
  app.route("/", operationsPages(kit));

  browserErrors(app, {
    ownsPath: (path) => /^\/admin(\/|$)/.test(path) && !NOT_PAGES.test(path),
    render: kit.problemPage,
    signIn: (c) => {
      endSession(c);
      return c.redirect("/admin/sign-in", 303);
    },
  });
  return app;
}
