import { EVENT_TYPES } from "#schema/events.ts";
import type { ShippingAddress } from "#schema/orders/dto.ts";
import { d1Db } from "#shared/d1.ts";
import { ERASED_EMAIL, erasedAddress, scrubOutbox } from "#shared/erasure.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import { checkoutConfig } from "./config.ts";

type BuyerOrder = { id: string; checkout_id: string | null; shipping_address: string; created_at: number };

// A Checkout object forgets its key after CHECKOUT_KEY_LIFETIME_SECONDS (its alarm); an older order's object has
// nothing left to scrub, and waking it would only make an empty one. Twice the lifetime leaves the alarm room to be late.
const checkoutKeptMs = (env: OrdersEnv): number => 2 * checkoutConfig(env).keyLifetimeMs;

/**
 * identity.user_erased → the account's orders keep their ids, lines, amounts, status and history (accounting)
 * and lose the person: email and address (but its country and region, which decided the tax), the link to the
 * account and a guest token it was claimed with (nobody reads these orders any more). The Checkout objects
 * that placed them keep the request for CHECKOUT_KEY_LIFETIME_SECONDS (a day): each is told first (an RPC that
 * changes nothing the second time), then the rows change with the event's processed mark, so a redelivery after
 * a crash finds the orders still linked and does it all again.
 */
export const forgetBuyerHandlers = (env: OrdersEnv): Pick<EventHandlers<"FULFILLMENT_EVENTS">, typeof EVENT_TYPES.userErased> => ({
  [EVENT_TYPES.userErased]: async ({ data: { userId } }) => {
    const { results } = await env.DB.prepare("SELECT id, checkout_id, shipping_address, created_at FROM orders WHERE user_id = ?")
      .bind(userId)
      .all<BuyerOrder>();
    if (results.length === 0) return [];
    const now = Date.now();
    for (const order of results) {
      if (order.checkout_id === null || order.created_at < now - checkoutKeptMs(env)) continue;
      await env.CHECKOUT.get(env.CHECKOUT.idFromString(order.checkout_id)).forgetBuyer();
    }
    return [
      ...results.map((order) =>
        env.DB.prepare(
          "UPDATE orders SET email = ?, shipping_address = ?, user_id = NULL, token_hash = NULL, updated_at = ? WHERE id = ?",
        ).bind(ERASED_EMAIL, JSON.stringify(erasedAddress(JSON.parse(order.shipping_address) as ShippingAddress)), now, order.id),
      ),
      scrubOutbox(
        d1Db(env.DB),
        results.map((o) => o.id),
      ),
    ];
  },
});
