import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { CheckoutBody, OrderList, OrderView, PlacedOrder, QuoteView, type Shopper } from "#schema/orders/dto.ts";
import type { Problem } from "#schema/problem.ts";
import { callerGuard, callerOf } from "#shared/auth.ts";
import { CLIENT_IP_HEADER, clientKey } from "#shared/client.ts";
import { createRouter, type EdgeEnv } from "#shared/edge-app.ts";
import { problemResponse } from "#shared/problem.ts";
import { perClientLimit } from "#shared/rate-limit.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";

const keys = (env: StorefrontEnv) => env.IDENTITY.verificationKeys();
const signedInOrGuest = callerGuard<StorefrontEnv>({ keys, optional: true });
const signedIn = callerGuard<StorefrontEnv>({ keys });
// Each checkout holds stock and calls the payment provider: strangers get a budget for both.
const checkoutLimit = perClientLimit<StorefrontEnv>({ what: "checkouts", limiter: (env) => env.LIMIT_CHECKOUT });
// A quote reads the cart, the catalog and the pricing rules; the checkout page asks for one per view.
const quoteLimit = perClientLimit<StorefrontEnv>({ what: "checkout quotes", limiter: (env) => env.LIMIT_QUOTE });
// A claim checks an order token: a budget that makes guessing pointless and bounds what it costs.
const claimLimit = perClientLimit<StorefrontEnv>({ what: "order claims", limiter: (env) => env.LIMIT_ORDER_CLAIM });

const cartTokenHeader = z.string().max(128).optional().describe("A guest's cart token (POST /v1/carts gave it)");

const routes = {
  quote: guarded(
    createRoute({
      method: "get",
      path: "/v1/checkout/quote",
      summary: "What checkout would charge for the cart: shipping, tax, total, installment plans and warranties",
      request: {
        query: z.object({
          cartId: z.string().max(64).describe("The cart to price"),
          country: z.string().max(2).optional().describe("Destination (ISO 3166-1 alpha-2); default US"),
        }),
        headers: z.object({ "x-cart-token": cartTokenHeader }),
      },
      responses: {
        200: {
          description: "The quote, computed on the server from today's prices",
          content: { "application/json": { schema: QuoteView } },
        },
        400: problemDoc("Bad input (an empty cart, an unsupported country), naming the field"),
        404: problemDoc("No such cart for this token"),
      },
    }),
    signedInOrGuest,
    quoteLimit,
  ),
  checkout: guarded(
    createRoute({
      method: "post",
      path: "/v1/checkout",
      summary: "Place the order: holds the stock, authorizes and captures the payment, empties the cart; exactly once per Idempotency-Key",
      request: {
        headers: z.object({
          "idempotency-key": z.string().optional().describe("1–255 visible ASCII characters, fresh per checkout; retries send the same"),
          "x-cart-token": cartTokenHeader,
        }),
        body: { required: true, content: { "application/json": { schema: CheckoutBody } } },
      },
      responses: {
        201: { description: "The order, paid (guests also get `orderToken`)", content: { "application/json": { schema: PlacedOrder } } },
        400: problemDoc("Bad input, an empty cart, or a missing Idempotency-Key, naming the field"),
        402: problemDoc("The payment was declined, lacked funds, or the provider did not answer; stock was released"),
        404: problemDoc("No such cart for this caller"),
        409: problemDoc("Out of stock: `errors[]` names each SKU; nothing was held or charged"),
        422: problemDoc("This Idempotency-Key was used with a different request"),
        503: problemDoc("Interrupted: it finishes or is undone by itself; retry with the same Idempotency-Key"),
      },
    }),
    signedInOrGuest,
    checkoutLimit,
  ),
  list: guarded(
    createRoute({
      method: "get",
      path: "/v1/orders",
      summary: "Your orders, newest first",
      responses: { 200: { description: "Your orders", content: { "application/json": { schema: OrderList } } } },
    }),
    signedIn,
  ),
  one: guarded(
    createRoute({
      method: "get",
      path: "/v1/orders/{id}",
      summary: "One of your orders; a guest sends the order token from the receipt as X-Order-Token",
      request: {
        params: z.object({ id: z.string().max(64) }),
        headers: z.object({ "x-order-token": z.string().max(128).optional().describe("A guest's order token") }),
      },
      responses: {
        200: { description: "The order", content: { "application/json": { schema: OrderView } } },
        400: problemDoc("Bad input (an over-long id or token), naming the field"),
        404: problemDoc("No such order for this caller (someone else's order is not found either)"),
      },
    }),
    signedInOrGuest,
  ),
  claim: guarded(
    createRoute({
      method: "post",
      path: "/v1/orders/{id}/claim",
      summary: "Add a guest order to your account: the order token (from the receipt) proves it is yours",
      request: {
        params: z.object({ id: z.string().max(64) }),
        headers: z.object({ "x-order-token": z.string().min(1).max(128).describe("The guest's order token") }),
      },
      responses: {
        200: { description: "The order, now in your account", content: { "application/json": { schema: OrderView } } },
        400: problemDoc("No order token"),
        404: problemDoc("No such guest order for this token (or it belongs to another account)"),
      },
    }),
    signedIn,
    claimLimit,
  ),
};

type Ctx = Context<EdgeEnv<StorefrontEnv>>;

function shopper(c: Ctx): Shopper {
  const userId = c.var.caller?.userId ?? null;
  return {
    userId,
    cartToken: c.req.header("X-Cart-Token"),
    // Flash-sale shares count per signed-in user, else per client address (as for carts).
    shopper: userId !== null ? `user:${userId}` : clientKey(c.req.header(CLIENT_IP_HEADER)),
  };
}

export const checkoutRoutes = createRouter<StorefrontEnv>()
  .openapi(routes.quote, async (c) => {
    const { cartId, country } = c.req.valid("query");
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.ORDERS.quote(cartId, country, shopper(c), { requestId: c.get("requestId") })), 200);
  })
  .openapi(routes.checkout, async (c) => {
    const answer = await c.env.ORDERS.checkout(c.req.valid("json"), c.req.header("Idempotency-Key"), shopper(c), {
      requestId: c.get("requestId"),
    });
    const headers: Record<string, string> = { "Cache-Control": "no-store" };
    if (answer.retryAfter !== undefined) headers["Retry-After"] = String(answer.retryAfter);
    if (answer.status === 201) return c.json(answer.body as z.infer<typeof PlacedOrder>, 201, headers);
    const body = answer.body as Problem;
    // Problems travel between Workers without their request id: this request's is the one to quote.
    return problemResponse({ ...body, requestId: c.get("requestId") }, headers) as never;
  })
  .openapi(routes.list, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.ORDERS.listOrders(callerOf(c).userId, { requestId: c.get("requestId") })), 200);
  })
  .openapi(routes.claim, async (c) => {
    c.header("Cache-Control", "no-store");
    const call = { requestId: c.get("requestId") };
    return c.json(
      unwrap(await c.env.ORDERS.claimOrder(c.req.valid("param").id, c.req.valid("header")["x-order-token"], callerOf(c).userId, call)),
      200,
    );
  })
  .openapi(routes.one, async (c) => {
    c.header("Cache-Control", "no-store");
    const reader = { userId: c.var.caller?.userId, orderToken: c.req.valid("header")["x-order-token"] };
    return c.json(unwrap(await c.env.ORDERS.getOrder(c.req.valid("param").id, reader, { requestId: c.get("requestId") })), 200);
  });
