import { createRoute, z } from "@hono/zod-openapi";
import { MerchantOrder, MerchantOrderList, MerchantOrderQuery } from "#schema/orders/dto.ts";
import { createRouter } from "#shared/edge-app.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { merchantOnly } from "../guards.ts";
import { callOf, scopeOf } from "./context.ts";

const routes = {
  list: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/orders",
      summary: "The merchant's part of each order, newest first, by status and by day (from/to, UTC, inclusive)",
      request: { query: MerchantOrderQuery },
      responses: {
        200: { description: "Orders", content: { "application/json": { schema: MerchantOrderList } } },
        400: problemDoc("Bad filter, naming it"),
      },
    }),
    merchantOnly,
  ),
  get: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/orders/{id}",
      summary: "One order: the merchant's lines, totals and shipments",
      request: { params: z.object({ id: z.string().max(64) }) },
      responses: {
        200: { description: "The order", content: { "application/json": { schema: MerchantOrder } } },
        404: problemDoc("No such order, or none of the merchant's products in it (never a 403)"),
      },
    }),
    merchantOnly,
  ),
};

export const orderRoutes = createRouter<AdminEnv>()
  .openapi(routes.list, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.ORDERS.merchantOrders(scopeOf(c), c.req.valid("query"), callOf(c))), 200);
  })
  .openapi(routes.get, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.ORDERS.merchantOrder(scopeOf(c), c.req.valid("param").id, callOf(c))), 200);
  });
