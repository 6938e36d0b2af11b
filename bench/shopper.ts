import type { Request } from "./load-spec.ts";

// What a guest shopper's browser sends, for the orchestrator's setup and the load processes alike. Every call
// carries the shopper's own address (CF-Connecting-IP): the platform's limits count per client.

export type GuestCart = { id: string; token: string; ip: string };

/** The test provider's card that always succeeds (the contract's test cards). */
const CARD = { number: "4242424242424242", expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" };

/** The body `checkoutBody` in test/system/checkout-client.ts builds: a guest paying by card, shipping to GB. */
export const checkoutBody = (cartId: string): string =>
  JSON.stringify({
    cartId,
    email: "ada@example.com",
    shippingAddress: { name: "Ada Lovelace", line1: "12 Analytical Row", city: "London", postalCode: "N1 9GU", country: "GB" },
    payment: { method: "card", card: CARD },
  });

export async function newCart(origin: string, ip: string): Promise<GuestCart> {
  const res = await fetch(new URL("/v1/carts", origin), { method: "POST", headers: { "cf-connecting-ip": ip } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST /v1/carts answered ${res.status}: ${await res.text()}`);
  const { id, token } = (await res.json()) as { id: string; token: string };
  return { id, token, ip };
}

/** Adds `quantity` of `sku` to the cart; answers the status (200 added, 409 not enough stock or over a share). */
export async function addItem(origin: string, cart: GuestCart, sku: string, quantity = 1): Promise<number> {
  const res = await fetch(new URL(`/v1/carts/${cart.id}/items`, origin), {
    method: "POST",
    headers: { "content-type": "application/json", "x-cart-token": cart.token, "cf-connecting-ip": cart.ip },
    body: JSON.stringify({ sku, quantity }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** POST /v1/checkout for the cart, with a fresh Idempotency-Key: one order, never to be repeated. */
export const checkoutRequest = (cart: GuestCart): Request => ({
  path: "/v1/checkout",
  method: "POST",
  headers: {
    "content-type": "application/json",
    "x-cart-token": cart.token,
    "cf-connecting-ip": cart.ip,
    "idempotency-key": crypto.randomUUID(),
  },
  body: checkoutBody(cart.id),
});

/** Runs `task(0 … count-1)` with at most `concurrency` in flight; answers the results in index order. */
export async function inPool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, concurrency) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}
