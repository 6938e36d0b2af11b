import type { CartView } from "#schema/cart.ts";
import { type CartRef, cartRef, rememberCart, type ShopApi, type ShopContext, shopSession } from "./context.ts";

/** The shopper's cart: the cookie's, or a new one (guests get a token, signed-in shoppers their own cart). */
export async function openCart(c: ShopContext, api: ShopApi, create: boolean): Promise<{ ref: CartRef; cart: CartView } | null> {
  const ref = cartRef(c);
  if (ref !== null) {
    const cart = await api<CartView>("GET", `/v1/carts/${ref.id}`, undefined, cartHeaders(ref));
    if (cart.ok) return { ref, cart: cart.data };
  }
  if (!create && shopSession.who(c) === null) return null;
  const made = await api<CartView & { token: string | null }>("POST", "/v1/carts");
  if (!made.ok) throw new Error(`cart not opened: ${made.problem.detail ?? made.status}`);
  const fresh = { id: made.data.id, token: made.data.token };
  rememberCart(c, fresh);
  return { ref: fresh, cart: made.data };
}

/** A guest cart is reached with its token; a signed-in shopper's with the session alone. */
export const cartHeaders = (ref: CartRef): Record<string, string> => (ref.token ? { "X-Cart-Token": ref.token } : {});
