import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { CART_ID, CartView, GuestCartRef, userCartId } from "#schema/cart.ts";
import { LoginBody, RefreshBody, RegisterBody, Session, User } from "#schema/identity/dto.ts";
import { callerGuard, callerOf } from "#shared/auth.ts";
import { CLIENT_IP_HEADER } from "#shared/client.ts";
import { createRouter, type EdgeEnv } from "#shared/edge-app.ts";
import { perClientLimit } from "#shared/rate-limit.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";

type Ctx = Context<EdgeEnv<StorefrontEnv>>;
// With `cart` in the request, the answer carries the shopper's cart after the guest cart was merged in.
const sessionJson = { content: { "application/json": { schema: Session.extend({ cart: CartView.optional() }) } } };
const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });
const signedIn = callerGuard<StorefrontEnv>({ keys: (env) => env.IDENTITY.verificationKeys() });
// Every account is stored state and every sign-in a 100,000-round hash: strangers get a budget for both.
// (Failed sign-ins have their own, stricter throttle inside identity.)
const registerLimit = perClientLimit<StorefrontEnv>({ what: "registrations", limiter: (env) => env.LIMIT_REGISTER });
const signInLimit = perClientLimit<StorefrontEnv>({ what: "sign-ins", limiter: (env) => env.LIMIT_SIGN_IN });

const routes = {
  register: guarded(
    createRoute({
      method: "post",
      path: "/v1/auth/register",
      summary: "Create a shopper account and sign in",
      request: { body: jsonBody(RegisterBody.extend({ cart: GuestCartRef.optional() })) },
      responses: {
        201: { description: "Signed in", ...sessionJson },
        400: problemDoc("Bad email, password or name"),
        409: problemDoc("Email taken"),
      },
    }),
    registerLimit,
  ),
  login: guarded(
    createRoute({
      method: "post",
      path: "/v1/auth/login",
      summary: "Sign in",
      request: { body: jsonBody(LoginBody.extend({ cart: GuestCartRef.optional() })) },
      responses: {
        200: { description: "Signed in", ...sessionJson },
        400: problemDoc("Missing or malformed email or password, naming the field"),
        401: problemDoc("Wrong email or password"),
        429: problemDoc(
          "Too many sign-in attempts (from this address, on this account from unknown devices, or with this device token); see Retry-After",
        ),
      },
    }),
    signInLimit,
  ),
  refresh: createRoute({
    method: "post",
    path: "/v1/auth/refresh",
    summary: "Trade a refresh token for a new session (the old token stops working)",
    request: { body: jsonBody(RefreshBody) },
    responses: {
      200: { description: "New session", ...sessionJson },
      400: problemDoc("Missing or malformed refreshToken, naming the field"),
      401: problemDoc("Unknown, expired or reused token"),
    },
  }),
  logout: createRoute({
    method: "post",
    path: "/v1/auth/logout",
    summary: "End the session the refresh token belongs to",
    request: { body: jsonBody(RefreshBody) },
    responses: {
      204: { description: "Signed out" },
      400: problemDoc("Missing or malformed refreshToken, naming the field"),
    },
  }),
  jwks: createRoute({
    method: "get",
    path: "/.well-known/jwks.json",
    summary: "The public keys that sign access tokens",
    responses: {
      200: {
        description: "JWK set",
        content: { "application/json": { schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) } },
      },
    },
  }),
  me: guarded(
    createRoute({
      method: "get",
      path: "/v1/me",
      summary: "Your profile",
      responses: {
        200: { description: "You", content: { "application/json": { schema: User } } },
      },
    }),
    signedIn,
  ),
  erase: guarded(
    createRoute({
      method: "delete",
      path: "/v1/me",
      summary: "Erase your account (GDPR)",
      responses: { 204: { description: "Erased" } },
    }),
    signedIn,
  ),
  export: guarded(
    createRoute({
      method: "get",
      path: "/v1/me/export",
      summary: "Everything the platform holds about you (GDPR)",
      responses: {
        200: { description: "Your data as JSON", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } },
      },
    }),
    signedIn,
  ),
};

/**
 * Folds the guest cart the shopper used before signing in into their own cart: quantities add up, capped
 * by stock. A guest cart that is gone or not theirs (wrong token) is ignored; sign-in never fails for it.
 * The guest cart is emptied first and then absorbed: a crash in between loses the guest lines, never
 * duplicates holds.
 */
async function mergeGuestCart(c: Ctx, userId: string, guest: { id: string; token: string }): Promise<CartView> {
  const requestId = c.get("requestId");
  const own = c.env.CART.getByName(await userCartId(userId));
  const opened = unwrap(await own.openForUser(userId, { requestId }));
  if (!CART_ID.test(guest.id)) return stripCreated(opened);
  const drained = await c.env.CART.getByName(guest.id).drain({ token: guest.token });
  if (!drained.ok) return stripCreated(opened);
  return unwrap(await own.absorb({ userId }, drained.value, { requestId }));
}
const stripCreated = ({ created: _created, ...view }: CartView & { created: boolean }): CartView => view;

const call = (c: Ctx) => ({ requestId: c.get("requestId"), clientIp: c.req.header(CLIENT_IP_HEADER) ?? undefined });

export const accountRoutes = createRouter<StorefrontEnv>()
  .openapi(routes.register, async (c) => {
    const { cart, ...body } = c.req.valid("json");
    const session = unwrap(await c.env.IDENTITY.register(body, call(c)));
    c.header("Cache-Control", "no-store");
    return c.json({ ...session, ...(cart ? { cart: await mergeGuestCart(c, session.user.id, cart) } : {}) }, 201);
  })
  .openapi(routes.login, async (c) => {
    const { cart, ...body } = c.req.valid("json");
    const session = unwrap(await c.env.IDENTITY.login(body, call(c)));
    c.header("Cache-Control", "no-store");
    return c.json({ ...session, ...(cart ? { cart: await mergeGuestCart(c, session.user.id, cart) } : {}) }, 200);
  })
  .openapi(routes.refresh, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.IDENTITY.refresh(c.req.valid("json"), call(c))), 200);
  })
  .openapi(routes.logout, async (c) => {
    unwrap(await c.env.IDENTITY.logout(c.req.valid("json"), call(c)));
    return c.body(null, 204);
  })
  .openapi(routes.jwks, async (c) => {
    const { keys } = await c.env.IDENTITY.verificationKeys();
    c.header("Cache-Control", "public, max-age=300");
    return c.json({ keys: keys as Record<string, unknown>[] }, 200);
  })
  .openapi(routes.me, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(unwrap(await c.env.IDENTITY.me(callerOf(c).userId, call(c))), 200);
  })
  .openapi(routes.erase, async (c) => {
    unwrap(await c.env.IDENTITY.erase(callerOf(c).userId, call(c)));
    return c.body(null, 204);
  })
  .openapi(routes.export, async (c) => {
    const data = unwrap(await c.env.IDENTITY.exportData(callerOf(c).userId, call(c)));
    c.header("Cache-Control", "no-store");
    c.header("Content-Disposition", 'attachment; filename="edge-commerce-export.json"');
    return c.json(data as unknown as Record<string, unknown>, 200);
  });
