import type { EnvironmentInput } from "../scripts/deploy/environment.ts";

// What differs between the deployed environments, and nothing else. Each Worker's wrangler config (its top level,
// which is also what runs locally) is read anew by every deploy and dry-run: a binding, var, cron or section added
// there is deployed to every environment without being written here (scripts/deploy/environment-config.ts).
// The D1 ids a deploy finds or creates go to deploy/ids/<environment>.json (commit it after a deploy).
export const ENVIRONMENTS = {
  staging: {
    // Every Worker, D1 database (each shard too), R2 bucket and queue is named `<the config's name><suffix>`:
    // catalog-staging, orders-staging, orders-1-staging, edge-commerce-assets-staging, order-events-staging.
    // Analytics Engine datasets take `_staging`.
    suffix: "-staging",
    // Pin the account (32 hex digits from the dashboard) so a deploy can never land in another one:
    // accountId: "…",
    // stripe | paypal (test only with --allow-test-payments on the command line). Stripe also needs
    // vars.payments.STRIPE_PUBLISHABLE_KEY below (pk_test_…); the provider's secrets are checked by the deploy.
    paymentProvider: "stripe",
    // Rate limit namespaces are per account: each environment counts in its own (storefront's 1001 is 11001 here).
    rateLimitNamespaceOffset: 10_000,
    // Vars over the configs' values: "*" for every Worker that declares the var, or by Worker.
    vars: {
      "*": { LOG_LEVEL: "debug" },
    },
    // Staging's traffic is ours (tests, demos): keep every trace, so any request looked into has one.
    observability: { traces: { head_sampling_rate: 1 } },
    // storefront and admin only (the other Workers answer nothing but their bindings). Without routes a public
    // Worker is on its workers.dev address; with them it is not. E.g.
    // storefront: [{ pattern: "shop-staging.example.com", custom_domain: true }],
    routes: {},
  },
  production: {
    suffix: "-production",
    paymentProvider: "stripe",
    rateLimitNamespaceOffset: 20_000,
    vars: {
      payments: { PAYPAL_API_BASE: "https://api-m.paypal.com" },
    },
    // Logs stay whole (the configs' 1: a request id must be findable in every Worker it crossed); traces are a
    // span per RPC, object and D1 call, so production keeps 5% of them: enough for latency, at a twentieth the volume.
    observability: { traces: { head_sampling_rate: 0.05 } },
    routes: {},
  },
} satisfies Record<string, EnvironmentInput>;
