import { execFileSync } from "node:child_process";

// `wrangler types` for every Worker: one shared runtime file, and a named Env per Worker (StorefrontEnv,
// CatalogEnv…) so all Workers type-check in one program. `--check` fails when a file is stale.
const check = process.argv.includes("--check");
// Run wrangler on this same Node (22+), whatever `node` is first on PATH.
const WRANGLER = ["node_modules/wrangler/bin/wrangler.js"];

type Target = { args: string[]; out: string };
const targets: Target[] = [
  {
    args: ["-c", "wrangler.toml", "-c", "workers/catalog/wrangler.toml", "--env-interface", "StorefrontEnv", "--include-runtime=false"],
    out: "workers/storefront/worker-configuration.d.ts",
  },
  {
    args: ["-c", "workers/catalog/wrangler.toml", "--env-interface", "CatalogEnv", "--include-runtime=false"],
    out: "workers/catalog/worker-configuration.d.ts",
  },
  {
    args: ["-c", "bench/ceiling/wrangler.toml", "--env-interface", "CeilingEnv", "--include-runtime=false"],
    out: "bench/ceiling/worker-configuration.d.ts",
  },
  { args: ["-c", "wrangler.toml", "--include-env=false"], out: "types/workers-runtime.d.ts" },
];

for (const t of targets) {
  execFileSync(process.execPath, [...WRANGLER, "types", ...t.args, ...(check ? ["--check"] : []), t.out], {
    stdio: check ? "inherit" : ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}
if (!check) console.log(`wrote ${targets.map((t) => t.out).join(", ")}`);
