import type { ProviderName } from "../../../schema/payments.ts";
import type { PaymentsConfig } from "./config.ts";
import { PayPalProvider } from "./paypal.ts";
import type { Fetch, PaymentProvider, Providers } from "./provider.ts";
import { StripeProvider } from "./stripe.ts";
import { TestProvider } from "./test-provider.ts";

/**
 * Every provider this Worker has credentials for. The test provider is always there (it needs none); Stripe
 * and PayPal only when their secrets are set. The config check has made sure the primary one is among them.
 */
export function providersFrom(config: PaymentsConfig, fetcher: Fetch): Providers {
  const test = new TestProvider({ timeoutMs: config.TEST_PROVIDER_TIMEOUT_MS });
  const stripe =
    config.STRIPE_SECRET_KEY === undefined
      ? null
      : new StripeProvider(
          { apiBase: config.STRIPE_API_BASE, secretKey: config.STRIPE_SECRET_KEY, webhookSecret: config.STRIPE_WEBHOOK_SECRET },
          fetcher,
        );
  const paypal =
    config.PAYPAL_CLIENT_ID === undefined || config.PAYPAL_CLIENT_SECRET === undefined
      ? null
      : new PayPalProvider(
          {
            apiBase: config.PAYPAL_API_BASE,
            clientId: config.PAYPAL_CLIENT_ID,
            clientSecret: config.PAYPAL_CLIENT_SECRET,
            webhookId: config.PAYPAL_WEBHOOK_ID,
          },
          fetcher,
        );
  const byName: Record<ProviderName, PaymentProvider | null> = { test, stripe, paypal };
  const primary = byName[config.PAYMENT_PROVIDER];
  if (primary === null) throw new Error(`PAYMENT_PROVIDER ${config.PAYMENT_PROVIDER} has no credentials`);
  return { primary, get: (name) => byName[name] };
}
