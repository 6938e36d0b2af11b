import { parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";
import type { Environment } from "./deploy/environment.ts";
import type { TopLevelConfig } from "./deploy/environment-config.ts";

// What a deployment must decide and may not do, checked before anything is bundled or uploaded. The payment
// provider is the first such choice: the built-in test provider takes any Luhn-valid card number as paid, so a
// deployment names a real provider, and the test one only for a throwaway preview, said out loud.

export type DeployChoices = { paymentProvider?: string | undefined; allowTestPayments: boolean };
export type DeployArgs = DeployChoices & { environments: string[]; dryRun: boolean };
export type DeployPlan = { vars: Record<string, Record<string, string>>; refusals: string[] };

const REAL_PROVIDERS = ["stripe", "paypal"];

/** `npm run deploy -- --env staging [--dry-run] [--payment-provider stripe|paypal] [--allow-test-payments]`. */
export function parseDeployArgs(argv: readonly string[]): DeployArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      env: { type: "string", multiple: true, default: [] },
      "dry-run": { type: "boolean", default: false },
      "payment-provider": { type: "string" },
      "allow-test-payments": { type: "boolean", default: false },
    },
  });
  return {
    environments: values.env,
    dryRun: values["dry-run"],
    paymentProvider: values["payment-provider"],
    allowTestPayments: values["allow-test-payments"],
  };
}

/** The vars each Worker is deployed with beyond its config, or why the deployment is refused. */
export function deployPlan(choices: DeployChoices, paymentsConfig: string): DeployPlan {
  const refusals: string[] = [];
  const configured = unstable_readConfig({ config: paymentsConfig }).vars;
  for (const name of ["PAYMENT_PROVIDER", "TEST_PAYMENTS"]) {
    if (name in configured) {
      refusals.push(
        `${paymentsConfig} sets ${name}: a deployment chooses its provider in deploy/environments.ts (or with --payment-provider), never by config`,
      );
    }
  }
  const provider = choices.paymentProvider;
  if (provider === undefined) {
    refusals.push(
      `choose the payment provider: paymentProvider in deploy/environments.ts, or --payment-provider ${REAL_PROVIDERS.join("|")} (there is no default)`,
    );
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

// What each provider needs besides PAYMENT_PROVIDER (workers/payments/src/config.ts asks the same at run time, too
// late for a deploy): public values as vars of the environment, the rest as secrets of the payments Worker.
const PROVIDER_NEEDS: Record<string, { vars: Record<string, { pattern: RegExp; example: string }>; secrets: string[] }> = {
  stripe: {
    vars: { STRIPE_PUBLISHABLE_KEY: { pattern: /^pk_(test|live)_/, example: "pk_test_… or pk_live_…, from Stripe's dashboard" } },
    secrets: ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"],
  },
  paypal: { vars: {}, secrets: ["PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET", "PAYPAL_WEBHOOK_ID"] },
  test: { vars: {}, secrets: [] },
};

/** Served to the internet; every other Worker answers only the Workers that bind it. */
export const PUBLIC_WORKERS = ["storefront", "admin"];
// Local-only switches (development routes, fault injection): a deployment never turns them on.
const LOCAL_ONLY_VARS = ["DEV_ROUTES", "DEV_FAULTS"];

export type EnvironmentPlan = {
  /** Vars over each Worker's top level. */
  vars: Record<string, Record<string, string>>;
  /** Secrets each Worker needs beyond its config's [secrets] required. */
  secrets: Record<string, string[]>;
  refusals: string[];
  /** What only the operator can supply: a dry-run lists it, a deploy refuses until it is there. */
  pending: string[];
};

/**
 * The environment's additions to each Worker's top level, checked: a var it sets must be one the Worker declares
 * (every var a Worker reads is in its config), or one its payment provider needs; the provider comes from the
 * description (the command line may repeat it, not contradict it) and goes through deployPlan's refusals.
 */
export function environmentPlan(
  env: Environment,
  choices: DeployChoices,
  tops: Readonly<Record<string, TopLevelConfig>>,
  paymentsConfig: string,
): EnvironmentPlan {
  const refusals: string[] = [];
  const pending: string[] = [];
  const where = `deploy/environments.ts, ${env.name}`;
  if (choices.paymentProvider !== undefined && env.paymentProvider !== undefined && choices.paymentProvider !== env.paymentProvider) {
    refusals.push(
      `${where} names the payment provider ${env.paymentProvider}; --payment-provider ${choices.paymentProvider} contradicts it (change the description)`,
    );
  }
  const provider = choices.paymentProvider ?? env.paymentProvider;
  const base = deployPlan({ paymentProvider: provider, allowTestPayments: choices.allowTestPayments }, paymentsConfig);
  refusals.push(...base.refusals);
  const needs = PROVIDER_NEEDS[provider ?? ""] ?? { vars: {}, secrets: [] };

  for (const key of Object.keys(env.vars)) {
    if (key !== "*" && tops[key] === undefined) refusals.push(`${where}: vars.${key} names no Worker`);
  }
  for (const name of Object.keys(env.vars["*"] ?? {})) {
    if (!Object.values(tops).some((top) => top.vars?.[name] !== undefined)) refusals.push(`${where}: no Worker declares vars["*"].${name}`);
  }
  const vars: Record<string, Record<string, string>> = {};
  for (const [worker, top] of Object.entries(tops)) {
    const declared = (name: string) => top.vars?.[name] !== undefined;
    const shared = Object.entries(env.vars["*"] ?? {}).filter(([name]) => declared(name));
    const own = Object.entries(env.vars[worker] ?? {});
    for (const [name] of own) {
      const providerVar = worker === "payments" && name in needs.vars;
      if (name === "PAYMENT_PROVIDER" || name === "TEST_PAYMENTS")
        refusals.push(`${where}: vars.${worker}.${name}: the provider is paymentProvider`);
      else if (!declared(name) && !providerVar)
        refusals.push(`${where}: vars.${worker}.${name} is not a var of ${worker} (not in its config)`);
    }
    vars[worker] = { ...Object.fromEntries([...shared, ...own]), ...base.vars[worker] };
    for (const name of LOCAL_ONLY_VARS) {
      if (vars[worker]?.[name] === "on") refusals.push(`${where}: ${worker}'s ${name} is on, which only a local platform may be`);
    }
  }
  for (const worker of Object.keys(env.routes)) {
    if (!PUBLIC_WORKERS.includes(worker))
      refusals.push(`${where}: routes.${worker}: only ${PUBLIC_WORKERS.join(" and ")} are served to the internet`);
  }
  for (const [name, { pattern, example }] of Object.entries(needs.vars)) {
    if (!pattern.test(env.vars.payments?.[name] ?? "")) pending.push(`set vars.payments.${name} in ${where} (${example})`);
  }
  return { vars, secrets: { payments: needs.secrets }, refusals, pending };
}
