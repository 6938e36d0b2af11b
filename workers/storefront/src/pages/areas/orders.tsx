/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { OrderView } from "#schema/orders/dto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { problemText } from "#shared/web/form.ts";
import { PAGE_CSP } from "#shared/web/page-headers.ts";
import { guestOrderToken, type ShopContext, shopSession } from "../context.ts";
import { param, type ShopKit } from "../shop-kit.tsx";
import { OrderPage } from "../views/buying.tsx";

/** A guest's order is reached with the token this browser keeps for it; a signed-in shopper's with the session. */
const orderHeaders = (c: ShopContext): Record<string, string> => {
  const t = guestOrderToken(c, param(c, "id"));
  return t ? { "X-Order-Token": t } : {};
};

/** After checkout: the order, its invoice, and asking to return what was delivered. */
export function orderPages(kit: ShopKit) {
  const app = new Hono<EdgeEnv<StorefrontEnv>>();

  app.get(
    "/orders/:id",
    kit.page(async (c, api) => {
      const order = await api<OrderView>("GET", `/v1/orders/${encodeURIComponent(param(c, "id"))}`, undefined, orderHeaders(c));
      if (!order.ok) return kit.notFound(c);
      const returnable = order.data.shipments.some((s) => s.status === "delivered");
      const body = (
        <OrderPage
          order={order.data}
          placed={c.req.query("placed") === "1"}
          guest={guestOrderToken(c, order.data.id) !== null}
          returnable={returnable}
        />
      );
      return kit.html(c, api, { title: `Order ${order.data.id}`, body });
    }),
  );

  app.get(
    "/orders/:id/invoice",
    kit.page(async (c) => {
      const part = c.req.query("part") ?? "";
      const headers = new Headers(orderHeaders(c));
      const token = shopSession.accessToken(c);
      if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
      const url = new URL(`/v1/orders/${encodeURIComponent(param(c, "id"))}/invoice?part=${encodeURIComponent(part)}`, c.req.url);
      const res = await kit.callApi(new Request(url, { headers }), c.env, c.executionCtx);
      if (!res.ok) return kit.notFound(c);
      return new Response(res.body, {
        headers: {
          "Content-Type": res.headers.get("Content-Type") ?? "text/html",
          "Cache-Control": "no-store",
          "Content-Security-Policy": PAGE_CSP,
        },
      });
    }),
  );

  app.post(
    "/orders/:id/returns",
    kit.page(async (c, api) => {
      const f = await kit.form(c);
      const id = encodeURIComponent(param(c, "id"));
      const asked = await api(
        "POST",
        `/v1/orders/${id}/returns`,
        { lines: [{ sku: f.sku, quantity: Number(f.quantity || "1") }], reason: f.reason },
        orderHeaders(c),
      );
      shopSession.flash(
        c,
        asked.ok
          ? { kind: "ok", text: "Return requested: the merchant will confirm it by email." }
          : { kind: "bad", text: problemText(asked.problem) },
      );
      return c.redirect(`/orders/${id}`, 303);
    }),
  );

  return app;
}
