import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { ensureDevVars, LOCAL_VARS } from "./dev-vars.ts";
import { WORKERS } from "./workers.ts";

// `npm run dev`: local secrets, every D1 migration (the real `wrangler d1 migrations apply`), then
// `wrangler dev` with every Worker's config. `--migrate-only` is `npm run db:migrate`. The Worker list is
// the one `npm start` and the deploy dry-run use.
const root = process.cwd();
const STATE = ".wrangler/state";
const wrangler = (args: string[]) => [join(root, "node_modules/wrangler/bin/wrangler.js"), ...args];
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

ensureDevVars(root);
for (const spec of WORKERS) {
  for (const db of unstable_readConfig({ config: join(root, spec.config) }).d1_databases) {
    const args = ["d1", "migrations", "apply", db.database_name ?? db.binding, "--local", "--persist-to", STATE, "-c", spec.config];
    const run = spawnSync(process.execPath, wrangler(args), { stdio: "inherit", env });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
if (process.argv.includes("--migrate-only")) process.exit(0);

// The storefront's local vars (development routes) as `--var`s: wrangler dev gives them to the primary Worker only,
// so under `npm run dev` notifications keep their deployed transport (wrangler's local email simulation) and the
// /dev/outbox stays empty; `npm start` has both.
const localVars = Object.entries(LOCAL_VARS.storefront ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
// wrangler dev keeps its state beside the first config (workers/storefront/) unless told: the project's one state
// folder is the one `npm start` and the migrations above use.
const configs = WORKERS.flatMap((w) => ["-c", w.config]);
const dev = spawn(process.execPath, wrangler(["dev", ...configs, "--persist-to", STATE, ...localVars]), {
  stdio: "inherit",
  env,
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
