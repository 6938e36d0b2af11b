/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { MerchantOrder } from "#schema/orders/dto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { parseDateRange } from "#shared/web/date-range.tsx";
import { type DashboardKit, pathParam } from "../dashboard-kit.tsx";
import { type OrderFilter, OrdersPage } from "../views/orders.tsx";

/** Orders to fulfil: the list (by status and dates), shipping one, a shipment delivered. */
export function orderPages(kit: DashboardKit) {
  const app = new Hono<EdgeEnv<AdminEnv>>();

  app.get(
    "/admin/orders",
    kit.page(async (c, ctx) => {
      const filter: OrderFilter = { status: c.req.query("status") ?? "", ...parseDateRange(c.req.query()) };
      const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ""));
      const orders = await ctx.api<{ items: MerchantOrder[] }>("GET", `/admin/v1/orders?${query.toString()}`);
      const body = <OrdersPage orders={orders.ok ? orders.data.items : []} filter={filter} csrf={ctx.csrf} />;
      return kit.render(c, ctx, {
        title: "Orders",
        current: "/admin/orders",
        body,
        ...kit.statusOf(orders),
      });
    }),
  );

  app.post(
    "/admin/orders/:id/ship",
    kit.page(async (c, { api, form }) => {
      const shipped = await api("POST", `/admin/v1/orders/${pathParam(c, "id")}/shipments`, {
        carrier: form.carrier ?? "",
        trackingNumber: form.trackingNumber ?? "",
      });
      return kit.done(c, "/admin/orders", shipped, `Order ${c.req.param("id")} shipped.`);
    }),
  );

  app.post(
    "/admin/shipments/:id/delivered",
    kit.page(async (c, { api }) =>
      kit.done(c, "/admin/orders", await api("POST", `/admin/v1/shipments/${pathParam(c, "id")}/delivered`), "Marked delivered."),
    ),
  );

  return app;
}
