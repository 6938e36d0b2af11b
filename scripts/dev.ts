import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { ensureDevVars } from "./dev-vars.ts";
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

const dev = spawn(process.execPath, wrangler(["dev", ...WORKERS.flatMap((w) => ["-c", w.config])]), { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
