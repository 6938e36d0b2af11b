import { createRoute, z } from "@hono/zod-openapi";
import { AdminReview, AdminReviewList, REVIEW_STATUSES, ReviewModeration } from "#schema/catalog/review-dto.ts";
import { PlatformReport, ReportQuery, SalesReport } from "#schema/insights/dto.ts";
import { createRouter } from "#shared/edge-app.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { merchantOnly, platformAdminOnly } from "../guards.ts";
import { callOf, scopeOf } from "./context.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const routes = {
  sales: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/reports/sales",
      summary: "The merchant's sales per day (UTC) over a range: orders, units, revenue, average order value, top products",
      description:
        "From aggregates kept by the insights Worker from paid orders (never a scan of orders). Revenue is the goods of the merchant's part, before tax and shipping.",
      request: { query: ReportQuery },
      responses: { 200: json(SalesReport, "The report"), 400: problemDoc("Bad range, naming the parameter") },
    }),
    merchantOnly,
  ),
  platform: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/reports/platform",
      summary: "Platform admins: sales per merchant, paid orders and carts created (conversion) over a range",
      request: { query: ReportQuery },
      responses: { 200: json(PlatformReport, "The report"), 400: problemDoc("Bad range, naming the parameter") },
    }),
    platformAdminOnly,
  ),
  reviews: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/reviews",
      summary: "Reviews of the merchant's products, newest first",
      request: { query: z.object({ status: z.enum(REVIEW_STATUSES, { error: 'status is "published" or "hidden"' }).optional() }) },
      responses: { 200: json(AdminReviewList, "Reviews"), 400: problemDoc("Bad filter") },
    }),
    merchantOnly,
  ),
  moderate: guarded(
    createRoute({
      method: "patch",
      path: "/admin/v1/reviews",
      summary: "Publish or hide a review of one of the merchant's products (the product's rating follows at once)",
      request: { body: { required: true, content: { "application/json": { schema: ReviewModeration } } } },
      responses: {
        200: json(AdminReview, "The review"),
        400: problemDoc("Bad input"),
        404: problemDoc("No such review of the merchant's products"),
      },
    }),
    merchantOnly,
  ),
};

export const insightRoutes = createRouter<AdminEnv>()
  .openapi(routes.sales, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.INSIGHTS.salesReport(scopeOf(c), c.req.valid("query"), callOf(c))), 200);
  })
  .openapi(routes.platform, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.INSIGHTS.platformReport(c.req.valid("query"), callOf(c))), 200);
  })
  .openapi(routes.reviews, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.CATALOG.merchantReviews(scopeOf(c), c.req.valid("query").status, callOf(c))), 200);
  })
  .openapi(routes.moderate, async (c) => {
    const { id, status } = c.req.valid("json");
    return c.json(unwrap(await c.env.CATALOG.moderateReview(scopeOf(c), id, status, callOf(c))), 200);
  });
