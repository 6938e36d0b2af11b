/** @jsxImportSource hono/jsx */
import type { z } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { ReturnList } from "#schema/fulfillment/dto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { type DashboardKit, pathParam } from "../dashboard-kit.tsx";
import { ReturnsPage } from "../views/returns.tsx";

/** Returns shoppers asked for: approving them, and receiving the goods (which refunds and restocks). */
export function returnPages(kit: DashboardKit) {
  const app = new Hono<EdgeEnv<AdminEnv>>();

  app.get(
    "/admin/returns",
    kit.page(async (c, ctx) => {
      const returns = await ctx.api<z.infer<typeof ReturnList>>("GET", "/admin/v1/returns");
      const body = <ReturnsPage returns={returns.ok ? returns.data.items : []} csrf={ctx.csrf} />;
      return kit.render(c, ctx, {
        title: "Returns",
        current: "/admin/returns",
        body,
        ...kit.statusOf(returns),
      });
    }),
  );

  app.post(
    "/admin/returns/:id/:action{approve|receive}",
    kit.page(async (c, { api }) => {
      const action = c.req.param("action");
      const moved = await api("POST", `/admin/v1/returns/${pathParam(c, "id")}/${action}`);
      return kit.done(c, "/admin/returns", moved, action === "approve" ? "Return approved." : "Received: refunded and restocked.");
    }),
  );

  return app;
}
