import { describe, expect, it } from "vitest";
import { paymentsConfig } from "../src/config.ts";
import { checkoutMethodOf, providersFrom } from "../src/providers.ts";

const fetcher = () => Promise.reject(new Error("no network in this test"));

describe("payments configuration: no default provider, and the test provider only on a local platform", () => {
  it("refuses to run without a provider named", () => {
    expect(() => paymentsConfig({})).toThrow(/PAYMENT_PROVIDER must be set/);
  });

  it("refuses the test provider unless TEST_PAYMENTS is on (a deployed config never has it)", () => {
    expect(() => paymentsConfig({ PAYMENT_PROVIDER: "test" })).toThrow(/TEST_PAYMENTS/);
    expect(() => paymentsConfig({ PAYMENT_PROVIDER: "test", TEST_PAYMENTS: "off" })).toThrow(/TEST_PAYMENTS/);
    const local = paymentsConfig({ PAYMENT_PROVIDER: "test", TEST_PAYMENTS: "on" });
    expect(providersFrom(local, fetcher).primary.name).toBe("test");
    expect(checkoutMethodOf(local)).toEqual({ method: "card", provider: "test" });
  });

  it("a Stripe deployment has no test provider to fall back on, and tells browsers its publishable key", () => {
    const config = paymentsConfig({ PAYMENT_PROVIDER: "stripe", STRIPE_SECRET_KEY: "sk_test_x", STRIPE_PUBLISHABLE_KEY: "pk_test_y" });
    const providers = providersFrom(config, fetcher);
    expect(providers.primary.name).toBe("stripe");
    expect(providers.primary.accepts).toBe("stripe");
    expect(providers.get("test")).toBeNull();
    expect(checkoutMethodOf(config)).toEqual({ method: "stripe", provider: "stripe", publishableKey: "pk_test_y" });
    expect(() => paymentsConfig({ PAYMENT_PROVIDER: "stripe", STRIPE_SECRET_KEY: "sk_test_x" })).toThrow(/STRIPE_PUBLISHABLE_KEY/);
  });
});
