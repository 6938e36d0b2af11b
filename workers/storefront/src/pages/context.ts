import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CategoryNode } from "#schema/catalog/dto.ts";
import { CLIENT_IP_HEADER } from "#shared/client.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { type ApiReply, apiClient, type CallApi } from "#shared/web/api.ts";
import { webSession } from "#shared/web/session.ts";

export type ShopContext = Context<EdgeEnv<StorefrontEnv>>;

// The shop's session: Lax, so a link from an email (an order page) arrives signed in. Forms carry no token: the
// shop's pages are cached for everyone alike, so posts are checked by where they come from (sameOrigin below).
export const shopSession = webSession<StorefrontEnv>({ prefix: "ec", path: "/", sameSite: "Lax" });

// The guest cart: its id and token in an HttpOnly cookie (a signed-in shopper's cart id is kept there too).
const CART = "ec_cart";
const cartCookie = { path: "/", httpOnly: true, secure: true, sameSite: "Lax", maxAge: 7 * 86_400 } as const;

export type CartRef = { id: string; token: string | null };

export function cartRef(c: ShopContext): CartRef | null {
  const raw = getCookie(c, CART);
  const [id, token] = (raw ?? "").split(".");
  return id !== undefined && /^crt_[A-Za-z0-9_-]{22}$/.test(id) ? { id, token: token === undefined || token === "" ? null : token } : null;
}
export const rememberCart = (c: ShopContext, cart: CartRef): void => setCookie(c, CART, `${cart.id}.${cart.token ?? ""}`, cartCookie);
export const forgetCart = (c: ShopContext): void => {
  deleteCookie(c, CART, cartCookie);
};

// A guest's order tokens live only in this HttpOnly cookie (newest first), never in a URL: query strings end up
// in browser history, server logs and Referer headers. The browser that placed an order can show it, request a
// return and carry it into an account; a claimed order leaves the cookie (its token no longer works anyway).
const GUEST_ORDERS = "ec_orders";
const MAX_GUEST_ORDERS = 10;
const guestOrdersCookie = { ...cartCookie, maxAge: 90 * 86_400 } as const;
const ORDER_ID = /^ord_[A-Za-z0-9_-]{1,40}$/;

function guestOrders(c: ShopContext): [string, string][] {
  return (getCookie(c, GUEST_ORDERS) ?? "")
    .split("~")
    .map((pair) => pair.split("."))
    .filter((p): p is [string, string] => p.length === 2 && ORDER_ID.test(p[0] ?? "") && /^[A-Za-z0-9_-]{1,128}$/.test(p[1] ?? ""));
}
const keepGuestOrders = (c: ShopContext, orders: [string, string][]): void => {
  if (orders.length === 0) deleteCookie(c, GUEST_ORDERS, guestOrdersCookie);
  else setCookie(c, GUEST_ORDERS, orders.map((o) => o.join(".")).join("~"), guestOrdersCookie);
};
export const guestOrderToken = (c: ShopContext, orderId: string): string | null =>
  guestOrders(c).find(([id]) => id === orderId)?.[1] ?? null;
export const rememberGuestOrder = (c: ShopContext, orderId: string, token: string): void =>
  keepGuestOrders(c, [[orderId, token] as [string, string], ...guestOrders(c).filter(([id]) => id !== orderId)].slice(0, MAX_GUEST_ORDERS));
export const forgetGuestOrder = (c: ShopContext, orderId: string): void =>
  keepGuestOrders(
    c,
    guestOrders(c).filter(([id]) => id !== orderId),
  );

/**
 * A post must come from this shop: a browser that says where it comes from (Origin, or Sec-Fetch-Site) must name
 * this origin. With SameSite=Lax cookies, that is what keeps another site's form from acting as the shopper.
 */
export function sameOrigin(c: ShopContext): boolean {
  const origin = c.req.header("Origin");
  // The pages send Referrer-Policy: same-origin, so their own forms post with their origin; "null" (a sandboxed
  // frame, a data: page) is not this shop.
  if (origin !== undefined && origin !== new URL(c.req.url).origin) return false;
  const site = c.req.header("Sec-Fetch-Site");
  return site === undefined || site === "same-origin" || site === "none";
}

export function shopApi(c: ShopContext, callApi: CallApi<StorefrontEnv>, anonymous = false) {
  const call = { requestId: c.get("requestId"), clientIp: c.req.header(CLIENT_IP_HEADER) };
  return apiClient(c, callApi, {
    token: anonymous ? undefined : shopSession.accessToken(c),
    refresh: () => shopSession.refresh(c, (refreshToken) => c.env.IDENTITY.refresh({ refreshToken }, call)),
  });
}
export type ShopApi = ReturnType<typeof shopApi>;

export async function categoriesOf(api: ShopApi): Promise<CategoryNode[]> {
  const tree = await api<{ items: CategoryNode[] }>("GET", "/v1/categories");
  return tree.ok ? tree.data.items : [];
}

export const dataOr = <T>(reply: ApiReply<T>, fallback: T): T => (reply.ok ? reply.data : fallback);
