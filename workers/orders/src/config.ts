import { z } from "zod";
import { configFrom } from "#shared/config.ts";
import type { CheckoutConfig } from "./checkout/flow.ts";

// The orders Worker's vars, parsed once per env: a nonsense value stops the Worker with zod's message.
const positiveSeconds = (name: string) =>
  z.coerce
    .number()
    .int()
    .positive(`${name} must be a whole number of seconds above 0`)
    .transform((s) => s * 1000);

const OrdersConfig = z
  .object({
    CHECKOUT_HOLD_TTL_SECONDS: positiveSeconds("CHECKOUT_HOLD_TTL_SECONDS"),
    CHECKOUT_WATCHDOG_SECONDS: positiveSeconds("CHECKOUT_WATCHDOG_SECONDS"),
    CHECKOUT_AUTHORIZE_ATTEMPTS: z.coerce.number().int().min(1, "CHECKOUT_AUTHORIZE_ATTEMPTS must be at least 1"),
    CHECKOUT_KEY_LIFETIME_SECONDS: positiveSeconds("CHECKOUT_KEY_LIFETIME_SECONDS"),
    NEW_ORDER_SHARDS: z
      .union([z.literal(""), z.coerce.number().int().min(1, "NEW_ORDER_SHARDS must be empty (every shard) or at least 1")])
      .optional(),
  })
  .transform(
    (v): CheckoutObjectConfig => ({
      holdTtlMs: v.CHECKOUT_HOLD_TTL_SECONDS,
      watchdogMs: v.CHECKOUT_WATCHDOG_SECONDS,
      keyLifetimeMs: v.CHECKOUT_KEY_LIFETIME_SECONDS,
      authorizeAttempts: v.CHECKOUT_AUTHORIZE_ATTEMPTS,
      retryDelayMs: 100,
      newOrderShards: v.NEW_ORDER_SHARDS === undefined || v.NEW_ORDER_SHARDS === "" ? null : v.NEW_ORDER_SHARDS,
    }),
  );

/** The flow's settings, and the Checkout object's own: its watchdog, and how long it remembers an Idempotency-Key. */
export type CheckoutObjectConfig = CheckoutConfig & {
  watchdogMs: number;
  keyLifetimeMs: number;
  /** New orders go to the first this many shards (null: every bound shard). */
  newOrderShards: number | null;
};

export const checkoutConfig: (env: OrdersEnv) => CheckoutObjectConfig = configFrom(OrdersConfig);
