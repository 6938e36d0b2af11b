import type { CheckoutPaymentMethod, ProviderName } from "#schema/payments.ts";
import type { PaymentsConfig } from "./config.ts";
import { PayPalProvider } from "./paypal.ts";
import type { Fetch, PaymentProvider, Providers } from "./provider.ts";
import { StripeProvider } from "./stripe.ts";
import { TestProvider } from "./test-provider.ts";

/**
 * Every provider this Worker has credentials for: Stripe and PayPal when their secrets are set, the test provider
 * only where TEST_PAYMENTS is on (a local platform). The config check has made sure the primary one is among them.
 */
export function providersFrom(config: PaymentsConfig, fetcher: Fetch): Providers {
  const test = config.TEST_PAYMENTS === "on" ? new TestProvider({ timeoutMs: config.TEST_PROVIDER_TIMEOUT_MS }) : null;
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

/** What a shopper's client needs to collect a payment: the primary provider's method and its public key. */
export function checkoutMethodOf(config: PaymentsConfig): CheckoutPaymentMethod {
  switch (config.PAYMENT_PROVIDER) {
    case "stripe":
      return { method: "stripe", provider: "stripe", publishableKey: config.STRIPE_PUBLISHABLE_KEY ?? "" };
    case "paypal":
      return { method: "paypal", provider: "paypal", clientId: config.PAYPAL_CLIENT_ID ?? "" };
    case "test":
      return { method: "card", provider: "test" };
  }
}
