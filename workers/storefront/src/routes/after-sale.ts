import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ReturnBody, ReturnCreated } from "#schema/fulfillment/dto.ts";
import { callerGuard } from "#shared/auth.ts";
import { createRouter, type EdgeEnv } from "#shared/edge-app.ts";
import { ProblemError } from "#shared/problem.ts";
import { perClientLimit } from "#shared/rate-limit.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";

// After the sale: a buyer's returns and invoices. The orders Worker says whether the order is the caller's
// (signed in as its buyer, or holding the guest's order token); fulfilment does the rest.

const signedInOrGuest = callerGuard<StorefrontEnv>({ keys: (env) => env.IDENTITY.verificationKeys(), optional: true });
const returnsLimit = perClientLimit<StorefrontEnv>({ what: "return requests", limiter: (env) => env.LIMIT_RETURNS });

const orderParam = z.object({ id: z.string().max(64).describe("The order") });
const orderToken = z.object({ "x-order-token": z.string().max(128).optional().describe("A guest's order token") });

const routes = {
  requestReturn: guarded(
    createRoute({
      method: "post",
      path: "/v1/orders/{id}/returns",
      summary: "Return delivered lines within the return window; the refund is their exact share of price and tax",
      request: {
        params: orderParam,
        headers: orderToken,
        body: { required: true, content: { "application/json": { schema: ReturnBody } } },
      },
      responses: {
        201: {
          description: "The return (one per merchant whose lines come back)",
          content: { "application/json": { schema: ReturnCreated } },
        },
        400: problemDoc("Bad input (no lines, a SKU not in the order), naming the field"),
        404: problemDoc("No such order for this caller"),
        409: problemDoc("Outside the return window, not delivered yet, or more than is left to return"),
      },
    }),
    signedInOrGuest,
    returnsLimit,
  ),
  invoice: guarded(
    createRoute({
      method: "get",
      path: "/v1/orders/{id}/invoice",
      summary: "The invoice of one merchant part of the order (HTML); `part` names the merchant when there are several",
      request: {
        params: orderParam,
        headers: orderToken,
        query: z.object({ part: z.string().max(64).optional().describe("The merchant id of the part (see the order's parts[])") }),
      },
      responses: {
        200: { description: "The invoice document", content: { "text/html": { schema: z.string() } } },
        400: problemDoc("The order has several parts and none was named"),
        404: problemDoc("No such order for this caller, or no such part"),
      },
    }),
    signedInOrGuest,
  ),
};

type Ctx = Context<EdgeEnv<StorefrontEnv>>;

/** Only the order's buyer (or the holder of its token) gets past this; anyone else is told it does not exist. */
async function ownOrder(c: Ctx, orderId: string): Promise<void> {
  const reader = { userId: c.var.caller?.userId, orderToken: c.req.header("X-Order-Token") };
  const order = await c.env.ORDERS.getOrder(orderId, reader, { requestId: c.get("requestId") });
  if (!order.ok) throw new ProblemError(order.problem);
}

export const afterSaleRoutes = createRouter<StorefrontEnv>()
  .openapi(routes.requestReturn, async (c) => {
    const orderId = c.req.valid("param").id;
    await ownOrder(c, orderId);
    const made = unwrap(await c.env.FULFILLMENT.requestReturn(orderId, c.req.valid("json"), { requestId: c.get("requestId") }));
    const [first] = made;
    if (first === undefined) throw new ProblemError(409, "nothing to return");
    c.header("Cache-Control", "no-store");
    return c.json({ return: first, returns: made }, 201);
  })
  .openapi(routes.invoice, async (c) => {
    const orderId = c.req.valid("param").id;
    await ownOrder(c, orderId);
    const doc = unwrap(await c.env.FULFILLMENT.invoice(orderId, c.req.valid("query").part, { requestId: c.get("requestId") }));
    // Personal: never cached by anyone; a sandbox keeps the document from running anything if opened directly.
    return c.body(doc.body, 200, {
      "Content-Type": doc.contentType,
      "Cache-Control": "private, no-store",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      "Content-Disposition": `inline; filename="${doc.number}.html"`,
    });
  });
