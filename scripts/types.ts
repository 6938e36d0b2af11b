import { execFileSync } from "node:child_process";

// `wrangler types` for every Worker: one shared runtime file, and a named Env per Worker (StorefrontEnv,
// CatalogEnv…), so a Worker whose bindings hold another's classes can type-check with that Worker's file next to
// its own (each Worker's tsconfig.json says which). `--check` fails when a file is stale.
const check = process.argv.includes("--check");
// Run wrangler on this same Node (22+), whatever `node` is first on PATH.
const WRANGLER = ["node_modules/wrangler/bin/wrangler.js"];

type Target = { args: string[]; out: string };
// A Worker's own config comes first; the configs after it let wrangler type its bindings to other Workers.
// `--env-file=/dev/null` (last: it takes every word after it): a machine's own .dev.vars (local secrets, the local payment provider) must not change
// the checked-in types; every binding and var a Worker may read is declared in its config.
const envOf = (envInterface: string, out: string, ...configs: string[]): Target => ({
  args: [...configs.flatMap((c) => ["-c", c]), "--env-interface", envInterface, "--include-runtime=false", "--env-file=/dev/null"],
  out,
});
const targets: Target[] = [
  envOf(
    "StorefrontEnv",
    "workers/storefront/worker-configuration.d.ts",
    "workers/storefront/wrangler.toml",
    "workers/catalog/wrangler.toml",
    "durable-objects/wrangler.toml",
    "workers/identity/wrangler.toml",
    "workers/orders/wrangler.toml",
    "workers/payments/wrangler.toml",
    "workers/fulfillment/wrangler.toml",
    "workers/notifications/wrangler.toml",
    "workers/insights/wrangler.toml",
  ),
  envOf("IdentityEnv", "workers/identity/worker-configuration.d.ts", "workers/identity/wrangler.toml"),
  envOf(
    "OrdersEnv",
    "workers/orders/worker-configuration.d.ts",
    "workers/orders/wrangler.toml",
    "durable-objects/wrangler.toml",
    "workers/payments/wrangler.toml",
  ),
  envOf(
    "FulfillmentEnv",
    "workers/fulfillment/worker-configuration.d.ts",
    "workers/fulfillment/wrangler.toml",
    "durable-objects/wrangler.toml",
    "workers/payments/wrangler.toml",
  ),
  envOf("NotificationsEnv", "workers/notifications/worker-configuration.d.ts", "workers/notifications/wrangler.toml"),
  envOf("PaymentsEnv", "workers/payments/worker-configuration.d.ts", "workers/payments/wrangler.toml"),
  envOf(
    "AdminEnv",
    "workers/admin/worker-configuration.d.ts",
    "workers/admin/wrangler.toml",
    "workers/catalog/wrangler.toml",
    "workers/identity/wrangler.toml",
    "workers/fulfillment/wrangler.toml",
    "workers/orders/wrangler.toml",
    "durable-objects/wrangler.toml",
    "workers/insights/wrangler.toml",
  ),
  envOf("InsightsEnv", "workers/insights/worker-configuration.d.ts", "workers/insights/wrangler.toml"),
  envOf("CatalogEnv", "workers/catalog/worker-configuration.d.ts", "workers/catalog/wrangler.toml"),
  envOf("DurableObjectsEnv", "durable-objects/worker-configuration.d.ts", "durable-objects/wrangler.toml", "workers/catalog/wrangler.toml"),
  envOf("CeilingEnv", "bench/ceiling/worker-configuration.d.ts", "bench/ceiling/wrangler.toml", "durable-objects/wrangler.toml"),
  { args: ["-c", "workers/storefront/wrangler.toml", "--include-env=false"], out: "types/workers-runtime.d.ts" },
];

for (const t of targets) {
  execFileSync(process.execPath, [...WRANGLER, "types", t.out, ...(check ? ["--check"] : []), ...t.args], {
    stdio: check ? "inherit" : ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}
if (!check) console.log(`wrote ${targets.map((t) => t.out).join(", ")}`);
