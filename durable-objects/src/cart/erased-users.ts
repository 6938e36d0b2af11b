import { userCartId } from "#schema/cart.ts";
import { EVENT_TYPES, requestIdOf } from "#schema/events.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import type { Cart } from "./cart.ts";

/**
 * `identity.user_erased` → the shopper's cart is deleted (its holds released). Deleting a cart that is gone
 * already changes nothing, so the consumer is `idempotent` and keeps no table of seen ids.
 */
export const eraseCartHandlers = (carts: DurableObjectNamespace<Cart>): EventHandlers<"IDENTITY_EVENTS"> => ({
  [EVENT_TYPES.userErased]: async (event) => {
    // Under the erasure request's id, which the cart logs under too.
    await carts.getByName(await userCartId(event.data.userId)).erase({ requestId: requestIdOf(event) });
    return [];
  },
});
