import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { deployPlan, parseDeployArgs } from "./deploy-checks.ts";
import { WORKERS } from "./workers.ts";

// Proves every Worker bundles for deployment, offline: `wrangler deploy --dry-run` builds exactly what
// would be uploaded and stops there. Prints each bundle's size (raw and gzip, which is what the limit counts).
// The deployment's choices come first (`--payment-provider stripe|paypal`): a refused plan bundles nothing.
const OUT = ".wrangler/deploy";
const plan = deployPlan(parseDeployArgs(process.argv.slice(2)), "workers/payments/wrangler.toml");
if (plan.refusals.length > 0) {
  for (const why of plan.refusals) console.error(`deploy refused: ${why}`);
  process.exit(1);
}
rmSync(OUT, { recursive: true, force: true });

const rows: string[] = [];
for (const worker of WORKERS) {
  const outdir = resolve(OUT, worker.name);
  execFileSync(
    process.execPath,
    [
      "node_modules/wrangler/bin/wrangler.js",
      "deploy",
      "--dry-run",
      "--outdir",
      outdir,
      "-c",
      worker.config,
      ...Object.entries(plan.vars[worker.name] ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    },
  );
  const files = readdirSync(outdir).filter((f) => f.endsWith(".js"));
  if (files.length === 0) throw new Error(`${worker.name}: wrangler produced no bundle`);
  const raw = files.reduce((n, f) => n + statSync(join(outdir, f)).size, 0);
  const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(join(outdir, f))).length, 0);
  rows.push(`${worker.name.padEnd(12)} ${(raw / 1024).toFixed(1).padStart(8)} KiB ${(gzip / 1024).toFixed(1).padStart(8)} KiB gzip`);
}
console.log(`${"worker".padEnd(12)} ${"bundle".padStart(12)} ${"compressed".padStart(17)}`);
for (const row of rows) console.log(row);
