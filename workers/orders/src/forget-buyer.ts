import { eq } from "drizzle-orm";
import { EVENT_TYPES } from "#schema/events.ts";
import type { ShippingAddress } from "#schema/orders/dto.ts";
import { type Change, commit } from "#shared/d1.ts";
import { ERASED_EMAIL, erasedAddress, scrubOutbox } from "#shared/erasure.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import { orders } from "../db/tables.ts";
import { checkoutConfig } from "./config.ts";
import type { OrdersDb } from "./db.ts";
import { allOrderDbs } from "./shards.ts";

// A Checkout object forgets its key after CHECKOUT_KEY_LIFETIME_SECONDS (its alarm); an older order's object has
// nothing left to scrub, and waking it would only make an empty one. Twice the lifetime leaves the alarm room to be late.
const checkoutKeptMs = (env: OrdersEnv): number => 2 * checkoutConfig(env).keyLifetimeMs;

/**
 * identity.user_erased → the account's orders keep their ids, lines, amounts, status and history (accounting)
 * and lose the person: email and address (but its country and region, which decided the tax), the link to the
 * account and a guest token it was claimed with (nobody reads these orders any more). The Checkout objects
 * that placed them keep the request for CHECKOUT_KEY_LIFETIME_SECONDS (a day): each is told first (an RPC that
 * changes nothing the second time). The orders are on every shard: each other shard's rows change in one batch
 * of their own first, then shard 0's with the event's processed mark (consumed there), so a redelivery after a
 * crash finds the orders not yet changed still linked and does them again.
 */
export const forgetBuyerHandlers = (env: OrdersEnv): Pick<EventHandlers<"FULFILLMENT_EVENTS">, typeof EVENT_TYPES.userErased> => ({
  [EVENT_TYPES.userErased]: async ({ data: { userId } }) => {
    const [home, ...others] = allOrderDbs(env);
    for (const db of others) await commit(db, await forgetOn(env, db, userId));
    return home === undefined ? [] : forgetOn(env, home, userId);
  },
});

/** One shard's part of an erasure: the Checkout objects told, and the changes to its rows (not yet run). */
async function forgetOn(env: OrdersEnv, db: OrdersDb, userId: string): Promise<Change[]> {
  const results = await db
    .select({ id: orders.id, checkoutId: orders.checkoutId, shippingAddress: orders.shippingAddress, createdAt: orders.createdAt })
    .from(orders)
    .where(eq(orders.userId, userId));
  if (results.length === 0) return [];
  const now = Date.now();
  for (const order of results) {
    if (order.checkoutId === null || order.createdAt < now - checkoutKeptMs(env)) continue;
    await env.CHECKOUT.get(env.CHECKOUT.idFromString(order.checkoutId)).forgetBuyer();
  }
  return [
    ...results.map((order) =>
      db
        .update(orders)
        .set({
          email: ERASED_EMAIL,
          shippingAddress: JSON.stringify(erasedAddress(JSON.parse(order.shippingAddress) as ShippingAddress)),
          userId: null,
          tokenHash: null,
          updatedAt: now,
        })
        .where(eq(orders.id, order.id)),
    ),
    scrubOutbox(
      db,
      results.map((o) => o.id),
    ),
  ];
}
