import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Cart } from "../../../../durable-objects/src/cart/cart.ts";
import { AddItemBody, type CartAccess, CartView, NewCart, SetItemBody, Sku } from "../../../../schema/cart.ts";
import { ProblemResponse } from "../../../../schema/problem.ts";
import { requireCaller } from "../../../shared/src/auth.ts";
import { randomToken, sha256Hex } from "../../../shared/src/crypto.ts";
import type { EdgeEnv } from "../../../shared/src/edge-app.ts";
import { notFound } from "../../../shared/src/problem.ts";
import { unwrap } from "../../../shared/src/result.ts";
import type { StorefrontApp } from "../app.ts";

const CART_TOKEN_HEADER = "X-Cart-Token";
export const CART_ID = /^crt_[A-Za-z0-9_-]{22}$/;

const problems = (...statuses: (400 | 404 | 409)[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: {
          400: "Bad input, naming the field",
          404: "No such cart for this token, or no such SKU",
          409: "Not enough stock (`available` says how many)",
        }[s],
        content: { "application/problem+json": { schema: ProblemResponse } },
      },
    ]),
  );
const cartJson = { content: { "application/json": { schema: CartView } } };
const cartParams = z.object({ id: z.string().max(64) });
const tokenHeader = z.object({ "x-cart-token": z.string().max(128).optional().describe("The token POST /v1/carts returned") });
const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

const routes = {
  create: createRoute({
    method: "post",
    path: "/v1/carts",
    summary: "Start a guest cart (keep the token, send it as X-Cart-Token), or, signed in, open your own cart",
    responses: {
      201: { description: "A new cart", content: { "application/json": { schema: NewCart } } },
      200: { description: "Signed in: your existing cart", content: { "application/json": { schema: NewCart } } },
    },
  }),
  view: createRoute({
    method: "get",
    path: "/v1/carts/{id}",
    summary: "The cart, with today's prices",
    request: { params: cartParams, headers: tokenHeader },
    responses: { 200: { description: "The cart", ...cartJson }, ...problems(404) },
  }),
  add: createRoute({
    method: "post",
    path: "/v1/carts/{id}/items",
    summary: "Add a SKU (quantities add up)",
    request: { params: cartParams, headers: tokenHeader, body: jsonBody(AddItemBody) },
    responses: { 200: { description: "The cart after adding", ...cartJson }, ...problems(400, 404, 409) },
  }),
  set: createRoute({
    method: "patch",
    path: "/v1/carts/{id}/items/{sku}",
    summary: "Set a line's quantity",
    request: { params: cartParams.extend({ sku: Sku }), headers: tokenHeader, body: jsonBody(SetItemBody) },
    responses: { 200: { description: "The cart after the change", ...cartJson }, ...problems(400, 404, 409) },
  }),
  remove: createRoute({
    method: "delete",
    path: "/v1/carts/{id}/items/{sku}",
    summary: "Remove a line",
    request: { params: cartParams.extend({ sku: Sku }), headers: tokenHeader },
    responses: { 200: { description: "The cart after removing", ...cartJson }, ...problems(404) },
  }),
};

type Ctx = Context<EdgeEnv<StorefrontEnv>>;
const signedInOrGuest = requireCaller<StorefrontEnv>({ keys: (env) => env.IDENTITY.verificationKeys(), optional: true });

/** The cart's object and the caller's claim to it; a malformed id is just another cart that is not there. */
function cartOf(c: Ctx, id: string): { cart: DurableObjectStub<Cart>; access: CartAccess } {
  if (!CART_ID.test(id)) throw notFound(`no cart ${id} (or the ${CART_TOKEN_HEADER} does not match it)`);
  return { cart: c.env.CART.getByName(id), access: { token: c.req.header(CART_TOKEN_HEADER), userId: c.var.caller?.userId } };
}

/** A signed-in shopper's cart id, derived from the user id: one cart per shopper, found again on any device. */
export async function userCartId(userId: string): Promise<string> {
  return `crt_${(await sha256Hex(`cart:${userId}`)).slice(0, 22)}`;
}

export function registerCartRoutes(app: StorefrontApp): void {
  // Carts work for guests (X-Cart-Token) and for signed-in shoppers (their own cart, by access token).
  app.use("/v1/carts", signedInOrGuest);
  app.use("/v1/carts/*", signedInOrGuest);

  app.openapi(routes.create, async (c) => {
    const caller = c.var.caller;
    if (caller !== undefined) {
      const own = unwrap(
        await c.env.CART.getByName(await userCartId(caller.userId)).openForUser(caller.userId, { requestId: c.get("requestId") }),
      );
      const { created, ...view } = own;
      c.header("Cache-Control", "no-store");
      return c.json({ ...view, token: null }, created ? 201 : 200);
    }
    const id = `crt_${randomToken(16)}`;
    const token = randomToken(32);
    const view = await c.env.CART.getByName(id).create(await sha256Hex(token));
    c.header("Cache-Control", "no-store");
    return c.json({ ...view, token }, 201);
  });

  app.openapi(routes.view, async (c) => {
    const { cart, access } = cartOf(c, c.req.valid("param").id);
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await cart.view(access, { requestId: c.get("requestId") })), 200);
  });

  app.openapi(routes.add, async (c) => {
    const { cart, access } = cartOf(c, c.req.valid("param").id);
    const { sku, quantity } = c.req.valid("json");
    return c.json(unwrap(await cart.addItem(access, sku, quantity, { requestId: c.get("requestId") })), 200);
  });

  app.openapi(routes.set, async (c) => {
    const { id, sku } = c.req.valid("param");
    const { cart, access } = cartOf(c, id);
    return c.json(unwrap(await cart.setItem(access, sku, c.req.valid("json").quantity, { requestId: c.get("requestId") })), 200);
  });

  app.openapi(routes.remove, async (c) => {
    const { id, sku } = c.req.valid("param");
    const { cart, access } = cartOf(c, id);
    return c.json(unwrap(await cart.removeItem(access, sku, { requestId: c.get("requestId") })), 200);
  });
}
