/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { AdminReview } from "#schema/catalog/review-dto.ts";
import type { SalesReport } from "#schema/insights/dto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { parseDateRange } from "#shared/web/date-range.tsx";
import type { DashboardKit } from "../dashboard-kit.tsx";
import { ReportsPage, ReviewsPage } from "../views/insights.tsx";

/** What the shop learns from its sales and its shoppers: the sales report, and reviews to publish or hide. */
export function insightPages(kit: DashboardKit) {
  const app = new Hono<EdgeEnv<AdminEnv>>();

  app.get(
    "/admin/reports",
    kit.page(async (c, ctx) => {
      // The last 30 days unless the merchant chose others.
      const range = parseDateRange(c.req.query(), { lastDays: 30 });
      const report = await ctx.api<SalesReport>("GET", `/admin/v1/reports/sales?${new URLSearchParams(range).toString()}`);
      return kit.fromApi(c, ctx, { title: "Reports", current: "/admin/reports" }, report, (data) => <ReportsPage report={data} />);
    }),
  );

  app.get(
    "/admin/reviews",
    kit.page(async (c, ctx) => {
      const reviews = await ctx.api<{ items: AdminReview[] }>("GET", "/admin/v1/reviews");
      const body = <ReviewsPage reviews={reviews.ok ? reviews.data.items : []} csrf={ctx.csrf} />;
      return kit.render(c, ctx, {
        title: "Reviews",
        current: "/admin/reviews",
        body,
        ...kit.statusOf(reviews),
      });
    }),
  );

  app.post(
    "/admin/reviews/:id/:action{publish|hide}",
    kit.page(async (c, { api }) => {
      const status = c.req.param("action") === "publish" ? "published" : "hidden";
      const moved = await api("PATCH", "/admin/v1/reviews", { id: c.req.param("id"), status });
      return kit.done(c, "/admin/reviews", moved, status === "published" ? "Review published." : "Review hidden.");
    }),
  );

  return app;
}
