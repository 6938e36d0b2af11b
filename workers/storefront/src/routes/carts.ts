import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AddItemBody, CART_ID, type CartAccess, type CartCall, CartView, NewCart, SetItemBody, Sku, userCartId } from "#schema/cart.ts";
import { callerGuard } from "#shared/auth.ts";
import { CLIENT_IP_HEADER, clientKey } from "#shared/client.ts";
import { randomToken, sha256Hex } from "#shared/crypto.ts";
import { createRouter, type EdgeEnv } from "#shared/edge-app.ts";
import { notFound } from "#shared/problem.ts";
import { perClientLimit } from "#shared/rate-limit.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";

const CART_TOKEN_HEADER = "X-Cart-Token";

const problems = (...statuses: (400 | 404 | 409)[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      problemDoc(
        {
          400: "Bad input, naming the field",
          404: "No such cart for this token, or no such SKU",
          409: "Not enough stock (`available` says how many), or over the flash-sale limit per shopper",
        }[s],
      ),
    ]),
  );
const cartJson = { content: { "application/json": { schema: CartView } } };
const cartParams = z.object({ id: z.string().max(64) });
const tokenHeader = z.object({ "x-cart-token": z.string().max(128).optional().describe("The token POST /v1/carts returned") });
const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

// Carts work for guests (X-Cart-Token) and for signed-in shoppers (their own cart, by access token).
const signedInOrGuest = callerGuard<StorefrontEnv>({ keys: (env) => env.IDENTITY.verificationKeys(), optional: true });
// Every cart is a Durable Object and every line a stock check: strangers get a budget for both.
const cartCreateLimit = perClientLimit<StorefrontEnv>({ what: "new carts", limiter: (env) => env.LIMIT_CART_CREATE });
const cartWriteLimit = perClientLimit<StorefrontEnv>({ what: "cart changes", limiter: (env) => env.LIMIT_CART_WRITE });

const routes = {
  create: guarded(
    createRoute({
      method: "post",
      path: "/v1/carts",
      summary: "Start a guest cart (keep the token, send it as X-Cart-Token), or, signed in, open your own cart",
      responses: {
        201: { description: "A new cart", content: { "application/json": { schema: NewCart } } },
        200: { description: "Signed in: your existing cart", content: { "application/json": { schema: NewCart } } },
      },
    }),
    signedInOrGuest,
    cartCreateLimit,
  ),
  view: guarded(
    createRoute({
      method: "get",
      path: "/v1/carts/{id}",
      summary: "The cart, with today's prices",
      request: { params: cartParams, headers: tokenHeader },
      responses: { 200: { description: "The cart", ...cartJson }, ...problems(400, 404) },
    }),
    signedInOrGuest,
  ),
  add: guarded(
    createRoute({
      method: "post",
      path: "/v1/carts/{id}/items",
      summary: "Add a SKU (quantities add up)",
      request: { params: cartParams, headers: tokenHeader, body: jsonBody(AddItemBody) },
      responses: { 200: { description: "The cart after adding", ...cartJson }, ...problems(400, 404, 409) },
    }),
    signedInOrGuest,
    cartWriteLimit,
  ),
  set: guarded(
    createRoute({
      method: "patch",
      path: "/v1/carts/{id}/items/{sku}",
      summary: "Set a line's quantity",
      request: { params: cartParams.extend({ sku: Sku }), headers: tokenHeader, body: jsonBody(SetItemBody) },
      responses: { 200: { description: "The cart after the change", ...cartJson }, ...problems(400, 404, 409) },
    }),
    signedInOrGuest,
    cartWriteLimit,
  ),
  remove: guarded(
    createRoute({
      method: "delete",
      path: "/v1/carts/{id}/items/{sku}",
      summary: "Remove a line",
      request: { params: cartParams.extend({ sku: Sku }), headers: tokenHeader },
      responses: { 200: { description: "The cart after removing", ...cartJson }, ...problems(400, 404) },
    }),
    signedInOrGuest,
  ),
};

type Ctx = Context<EdgeEnv<StorefrontEnv>>;

/** The cart's object and the caller's claim to it; a malformed id is just another cart that is not there. */
function cartOf(c: Ctx, id: string): { cart: ReturnType<StorefrontEnv["CART"]["getByName"]>; access: CartAccess; call: CartCall } {
  if (!CART_ID.test(id)) throw notFound(`no cart ${id} (or the ${CART_TOKEN_HEADER} does not match it)`);
  const userId = c.var.caller?.userId;
  return {
    cart: c.env.CART.getByName(id),
    access: { token: c.req.header(CART_TOKEN_HEADER), userId },
    // Flash-sale stock is capped per shopper: the signed-in user, or for guests the client's address,
    // so opening more carts buys no more of it.
    call: { requestId: c.get("requestId"), shopper: userId ? `user:${userId}` : clientKey(c.req.header(CLIENT_IP_HEADER)) },
  };
}

export const cartRoutes = createRouter<StorefrontEnv>()
  .openapi(routes.create, async (c) => {
    const caller = c.var.caller;
    c.header("Cache-Control", "no-store");
    if (caller !== undefined) {
      const own = unwrap(
        await c.env.CART.getByName(await userCartId(caller.userId)).openForUser(caller.userId, { requestId: c.get("requestId") }),
      );
      const { created, ...view } = own;
      return c.json({ ...view, token: null }, created ? 201 : 200);
    }
    const id = `crt_${randomToken(16)}`;
    const token = randomToken(32);
    const view = await c.env.CART.getByName(id).create(await sha256Hex(token), { requestId: c.get("requestId") });
    return c.json({ ...view, token }, 201);
  })
  .openapi(routes.view, async (c) => {
    const { cart, access, call } = cartOf(c, c.req.valid("param").id);
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await cart.view(access, call)), 200);
  })
  .openapi(routes.add, async (c) => {
    const { cart, access, call } = cartOf(c, c.req.valid("param").id);
    const { sku, quantity } = c.req.valid("json");
    return c.json(unwrap(await cart.addItem(access, sku, quantity, call)), 200);
  })
  .openapi(routes.set, async (c) => {
    const { id, sku } = c.req.valid("param");
    const { cart, access, call } = cartOf(c, id);
    return c.json(unwrap(await cart.setItem(access, sku, c.req.valid("json").quantity, call)), 200);
  })
  .openapi(routes.remove, async (c) => {
    const { id, sku } = c.req.valid("param");
    const { cart, access, call } = cartOf(c, id);
    return c.json(unwrap(await cart.removeItem(access, sku, call)), 200);
  });
