import { Hono } from "hono";
import type { EdgeBindings, EdgeEnv } from "../edge-app.ts";
import { browserErrors } from "./browser-errors.ts";
import { immutableAsset } from "./immutable-asset.ts";

/**
 * A site's pages as one router: its stylesheet, its areas (one router each), and the one error path for browsers
 * over all of them. Both the shop and the dashboard are put together this way.
 */
export function sitePages<B extends EdgeBindings>(site: {
  stylesheet: { path: string; css: string };
  areas: Hono<EdgeEnv<B>>[];
  errors: Parameters<typeof browserErrors<B>>[1];
}): Hono<EdgeEnv<B>> {
  const app = new Hono<EdgeEnv<B>>();
  app.get(site.stylesheet.path, immutableAsset(site.stylesheet.css, "text/css; charset=utf-8"));
  for (const area of site.areas) app.route("/", area);
  browserErrors(app, site.errors);
  return app;
}
