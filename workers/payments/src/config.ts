import { z } from "zod";
import { PROVIDERS } from "../../../schema/payments.ts";
import { configFrom } from "../../shared/src/config.ts";

// An unset secret may arrive as "" (an empty .dev.vars line): that is "not set", not a key.
const secret = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional());

// Configuration is a boundary: choosing a provider without its credentials stops the Worker with a message
// that names them, at the first call, instead of failing at the provider.
const PaymentsConfig = z
  .object({
    PAYMENT_PROVIDER: z.enum(PROVIDERS).default("test"),
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
