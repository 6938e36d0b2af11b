import type { Platform } from "../../scripts/platform.ts";
import { pickSku } from "./cart-client.ts";
import { type CallOptions, call, type Reply } from "./identity-client.ts";

export type Json = Record<string, unknown>;

export const CARDS = {
  success: "4242424242424242",
  declined: "4000000000000002",
  insufficientFunds: "4000000000009995",
  timeout: "4000000000000119",
} as const;

export const address = {
  name: "Ada Lovelace",
  line1: "12 Analytical Row",
  city: "London",
  postalCode: "N1 9GU",
  country: "GB",
};

export function checkoutBody(cartId: string, card: string = CARDS.success, extra: Json = {}): Json {
  return {
    cartId,
    email: "ada@example.com",
    shippingAddress: address,
    payment: { method: "card", card: { number: card, expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" } },
    ...extra,
  };
}

/** A shopper at one client address: carts, checkout and orders over HTTP, as a browser or app would. */
export function shopper(platform: Platform, ip: string, bearer?: string) {
  const shop = (method: string, path: string, options: CallOptions = {}): Promise<Reply> =>
    call(platform.url, method, path, { ip, ...(bearer ? { token: bearer } : {}), ...options });
  return {
    shop,
    async cart(lines: { sku: string; quantity: number }[]): Promise<{ id: string; token: string | null }> {
      const made = await shop("POST", "/v1/carts");
      if (made.status !== 201 && made.status !== 200) throw new Error(`cart: ${made.status} ${JSON.stringify(made.body)}`);
      const id = String(made.body.id);
      const token = typeof made.body.token === "string" ? made.body.token : null;
      for (const line of lines) {
        const added = await shop("POST", `/v1/carts/${id}/items`, { body: line, headers: token ? { "x-cart-token": token } : {} });
        if (added.status !== 200) throw new Error(`add ${line.sku}: ${added.status} ${JSON.stringify(added.body)}`);
      }
      return { id, token };
    },
    checkout(cart: { id: string; token: string | null }, key: string | undefined, body: Json = checkoutBody(cart.id)): Promise<Reply> {
      const headers: Record<string, string> = {};
      if (cart.token) headers["x-cart-token"] = cart.token;
      if (key !== undefined) headers["idempotency-key"] = key;
      return shop("POST", "/v1/checkout", { body, headers });
    },
  };
}

/** Live stock as the Inventory object has it: on hand, held, available. */
export async function stockOf(platform: Platform, sku: string): Promise<{ onHand: number; held: number; available: number }> {
  const ns = await platform.miniflare.getDurableObjectNamespace("INVENTORY", "durable-objects");
  const stub = ns.get(ns.idFromName(sku)) as unknown as { stock(): Promise<{ onHand: number; held: number; available: number }> };
  return stub.stock();
}

/** Two plentiful SKUs of two different merchants (not on flash sale), for multi-vendor orders. */
export async function twoMerchantSkus(platform: Platform) {
  const a = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_northwind'");
  const b = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_trailhead'");
  return [a, b] as const;
}
