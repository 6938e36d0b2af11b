import { unstable_readConfig } from "wrangler";

// What a deployment must decide and may not do, checked before anything is bundled or uploaded. The payment
// provider is the first such choice: the built-in test provider takes any Luhn-valid card number as paid, so a
// deployment names a real provider, and the test one only for a throwaway preview, said out loud.

export type DeployChoices = { paymentProvider?: string | undefined; allowTestPayments: boolean };
export type DeployPlan = { vars: Record<string, Record<string, string>>; refusals: string[] };

const REAL_PROVIDERS = ["stripe", "paypal"];

export function parseDeployArgs(argv: readonly string[]): DeployChoices {
  const at = argv.indexOf("--payment-provider");
  const inline = argv.find((a) => a.startsWith("--payment-provider="));
  return {
    paymentProvider: inline?.split("=")[1] ?? (at >= 0 ? argv[at + 1] : undefined),
    allowTestPayments: argv.includes("--allow-test-payments"),
  };
}

/** The vars each Worker is deployed with beyond its config, or why the deployment is refused. */
export function deployPlan(choices: DeployChoices, paymentsConfig: string): DeployPlan {
  const refusals: string[] = [];
  const configured = unstable_readConfig({ config: paymentsConfig }).vars;
  for (const name of ["PAYMENT_PROVIDER", "TEST_PAYMENTS"]) {
    if (name in configured) {
      refusals.push(`${paymentsConfig} sets ${name}: a deployment chooses its provider with --payment-provider, never by config`);
    }
  }
  const provider = choices.paymentProvider;
  if (provider === undefined) {
    refusals.push(`choose the payment provider: --payment-provider ${REAL_PROVIDERS.join("|")} (there is no default)`);
  } else if (provider === "test" && !choices.allowTestPayments) {
    refusals.push(
      "the test payment provider takes any card number as paid: a deployment may use it only with --allow-test-payments (a throwaway preview, never a shop)",
    );
  } else if (provider !== "test" && !REAL_PROVIDERS.includes(provider)) {
    refusals.push(`--payment-provider is ${REAL_PROVIDERS.join(" or ")} (or test with --allow-test-payments), not '${provider}'`);
  }
  const payments: Record<string, string> = provider === undefined ? {} : { PAYMENT_PROVIDER: provider };
  if (provider === "test" && choices.allowTestPayments) payments.TEST_PAYMENTS = "on";
  return { vars: { payments }, refusals };
}
