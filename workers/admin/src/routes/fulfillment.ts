import { createRoute, z } from "@hono/zod-openapi";
import { SHIPMENT_STATUSES } from "#schema/events.ts";
import { ReturnList, ReturnView, ShipBody, ShipmentDetail, ShipmentList } from "#schema/fulfillment/dto.ts";
import { callerOf } from "#shared/auth.ts";
import { createRouter } from "#shared/edge-app.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { merchantOnly, merchantScope } from "../guards.ts";

const id = (what: string) => z.object({ id: z.string().max(80).describe(what) });
const notFound = problemDoc("Not found, or another merchant's (never a 403)");
const wrongState = problemDoc("Not possible from its current status (`status` says which it is)");

/** POST on one shipment or return, answering it as it now is (200). */
const action = (path: string, summary: string, what: string, schema: typeof ShipmentDetail | typeof ReturnView) =>
  guarded(
    createRoute({
      method: "post",
      path,
      summary,
      request: { params: id(what) },
      responses: { 200: { description: what, content: { "application/json": { schema } } }, 404: notFound, 409: wrongState },
    }),
    merchantOnly,
  );

const routes = {
  shipments: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/shipments",
      summary: "The merchant's shipments, newest first (what to pack and ship)",
      request: { query: z.object({ status: z.enum(SHIPMENT_STATUSES).optional(), orderId: z.string().max(64).optional() }) },
      responses: {
        200: { description: "Shipments", content: { "application/json": { schema: ShipmentList } } },
        400: problemDoc("Bad filter"),
      },
    }),
    merchantOnly,
  ),
  ship: guarded(
    createRoute({
      method: "post",
      path: "/admin/v1/orders/{id}/shipments",
      summary: "Ship the merchant's part of an order with a carrier and tracking number (repeating it changes nothing)",
      request: { params: id("The order"), body: { required: true, content: { "application/json": { schema: ShipBody } } } },
      responses: {
        201: { description: "The shipment, now shipped", content: { "application/json": { schema: ShipmentDetail } } },
        400: problemDoc("Bad input, naming the field"),
        404: notFound,
        409: problemDoc("Not possible from its status, or that carrier and tracking number are another shipment's parcel"),
      },
    }),
    merchantOnly,
  ),
  packed: action("/admin/v1/shipments/{id}/packed", "Mark a pending shipment packed", "The shipment", ShipmentDetail),
  delivered: action(
    "/admin/v1/shipments/{id}/delivered",
    "Mark a shipped shipment delivered (the carrier webhook does the same)",
    "The shipment",
    ShipmentDetail,
  ),
  returns: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/returns",
      summary: "Returns of the merchant's parts, newest first",
      request: {
        query: z.object({ status: z.string().max(20).optional().describe("requested, approved, received, refunded or rejected") }),
      },
      responses: {
        200: { description: "Returns", content: { "application/json": { schema: ReturnList } } },
        400: problemDoc("Bad filter"),
      },
    }),
    merchantOnly,
  ),
  approve: action(
    "/admin/v1/returns/{id}/approve",
    "Approve a requested return: the buyer may send the items back",
    "The return",
    ReturnView,
  ),
  receive: guarded(
    createRoute({
      method: "post",
      path: "/admin/v1/returns/{id}/receive",
      summary:
        "The items are back: restock them and refund the buyer through the payment provider (exactly once, however often it is sent)",
      request: { params: id("The return") },
      responses: {
        200: { description: "The return, refunded", content: { "application/json": { schema: ReturnView } } },
        404: notFound,
        409: wrongState,
        502: problemDoc("The refund or restock did not go through; send it again to finish (nothing happens twice)"),
      },
    }),
    merchantOnly,
  ),
};

export const fulfillmentRoutes = createRouter<AdminEnv>()
  .openapi(routes.shipments, async (c) => {
    const scope = merchantScope(callerOf(c));
    const { status, orderId } = c.req.valid("query");
    const filter = { ...(status ? { status } : {}), ...(orderId ? { orderId } : {}) };
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.FULFILLMENT.listShipments(scope, filter, { requestId: c.get("requestId") })), 200);
  })
  .openapi(routes.ship, async (c) => {
    const scope = merchantScope(callerOf(c));
    const shipment = unwrap(
      await c.env.FULFILLMENT.shipOrderPart(scope, c.req.valid("param").id, c.req.valid("json"), { requestId: c.get("requestId") }),
    );
    return c.json(shipment, 201);
  })
  .openapi(routes.packed, async (c) => {
    const scope = merchantScope(callerOf(c));
    return c.json(
      unwrap(await c.env.FULFILLMENT.markShipment(scope, c.req.valid("param").id, "packed", { requestId: c.get("requestId") })),
      200,
    );
  })
  .openapi(routes.delivered, async (c) => {
    const scope = merchantScope(callerOf(c));
    return c.json(
      unwrap(await c.env.FULFILLMENT.markShipment(scope, c.req.valid("param").id, "delivered", { requestId: c.get("requestId") })),
      200,
    );
  })
  .openapi(routes.returns, async (c) => {
    const scope = merchantScope(callerOf(c));
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.FULFILLMENT.listReturns(scope, c.req.valid("query").status, { requestId: c.get("requestId") })), 200);
  })
  .openapi(routes.approve, async (c) => {
    const scope = merchantScope(callerOf(c));
    return c.json(unwrap(await c.env.FULFILLMENT.approveReturn(scope, c.req.valid("param").id, { requestId: c.get("requestId") })), 200);
  })
  .openapi(routes.receive, async (c) => {
    const scope = merchantScope(callerOf(c));
    return c.json(unwrap(await c.env.FULFILLMENT.receiveReturn(scope, c.req.valid("param").id, { requestId: c.get("requestId") })), 200);
  });
