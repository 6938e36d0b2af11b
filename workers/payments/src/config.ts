import { z } from "zod";
import { PROVIDERS } from "#schema/payments.ts";
import { configFrom } from "#shared/config.ts";

// An unset secret may arrive as "" (an empty .dev.vars line): that is "not set", not a key.
const secret = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional());

// Configuration is a boundary: choosing a provider without its credentials stops the Worker with a message
// that names them, at the first call, instead of failing at the provider.
const PaymentsConfig = z
  .object({
    // No default: a deployment names its provider, and a local platform says "test" in its own .dev.vars.
    PAYMENT_PROVIDER: z.enum(PROVIDERS, {
      error: `PAYMENT_PROVIDER must be set to ${PROVIDERS.join(", ")} (test only on a local platform)`,
    }),
    // The test provider accepts any Luhn-valid number as paid: only a local platform (npm start, npm run dev, the
    // tests) turns it on, never a deployed config (the deploy refuses it).
    TEST_PAYMENTS: z.enum(["on", "off"], { error: "TEST_PAYMENTS is on or off" }).default("off"),
    STRIPE_PUBLISHABLE_KEY: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^pk_(test|live)_/)
        .optional(),
    ),
    TEST_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(0).default(50),
    STRIPE_API_BASE: z.url().default("https://api.stripe.com"),
    PAYPAL_API_BASE: z.url().default("https://api-m.sandbox.paypal.com"),
    STRIPE_SECRET_KEY: secret,
    STRIPE_WEBHOOK_SECRET: secret,
    PAYPAL_CLIENT_ID: secret,
    PAYPAL_CLIENT_SECRET: secret,
    PAYPAL_WEBHOOK_ID: secret,
  })
  .superRefine((c, ctx) => {
    if (c.PAYMENT_PROVIDER === "test" && c.TEST_PAYMENTS !== "on") {
      ctx.addIssue({
        code: "custom",
        path: ["PAYMENT_PROVIDER"],
        message: "PAYMENT_PROVIDER is test, which takes any card number as paid: allowed only where TEST_PAYMENTS is on (a local platform)",
      });
    }
    if (c.PAYMENT_PROVIDER === "stripe" && c.STRIPE_PUBLISHABLE_KEY === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["STRIPE_PUBLISHABLE_KEY"],
        message: "PAYMENT_PROVIDER is stripe but STRIPE_PUBLISHABLE_KEY (pk_…, for Stripe.js in the shopper's browser) is not set",
      });
    }
    if (c.PAYMENT_PROVIDER === "stripe" && c.STRIPE_SECRET_KEY === undefined) {
      ctx.addIssue({ code: "custom", path: ["STRIPE_SECRET_KEY"], message: "PAYMENT_PROVIDER is stripe but STRIPE_SECRET_KEY is not set" });
    }
    if (c.PAYMENT_PROVIDER === "paypal" && (c.PAYPAL_CLIENT_ID === undefined || c.PAYPAL_CLIENT_SECRET === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["PAYPAL_CLIENT_ID"],
        message: "PAYMENT_PROVIDER is paypal but PAYPAL_CLIENT_ID or PAYPAL_CLIENT_SECRET is not set",
      });
    }
  });
export type PaymentsConfig = z.infer<typeof PaymentsConfig>;

export const paymentsConfig: (env: object) => PaymentsConfig = configFrom(PaymentsConfig);
