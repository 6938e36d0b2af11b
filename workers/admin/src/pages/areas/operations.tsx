/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { EdgeEnv } from "#shared/edge-app.ts";
import type { OperationsReport } from "../../routes/operations.ts";
import type { DashboardKit } from "../dashboard-kit.tsx";
import { OperationsPage } from "../views/operations.tsx";

/** The platform's health over the last hour or day: the platform admin's (anyone else gets the API's 403 here). */
export function operationsPages(kit: DashboardKit) {
  const app = new Hono<EdgeEnv<AdminEnv>>();

  app.get(
    "/admin/operations",
    kit.page(async (c, ctx) => {
      const range = c.req.query("range") === "day" ? "day" : "hour";
      const report = await ctx.api<OperationsReport>("GET", `/admin/v1/operations/metrics?range=${range}`);
      return kit.fromApi(c, ctx, { title: "Operations", current: "/admin/operations" }, report, (data) => <OperationsPage report={data} />);
    }),
  );

  return app;
}
