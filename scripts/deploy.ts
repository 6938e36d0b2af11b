import { deployEnvironment } from "./deploy/deploy-environment.ts";
import { ENVIRONMENT_NAMES, environment } from "./deploy/environment.ts";
import { wranglerRunner } from "./deploy/wrangler-runner.ts";
import { parseDeployArgs } from "./deploy-checks.ts";

// `npm run deploy -- --env staging|production [--dry-run]`; `npm run deploy:dry-run` dry-runs every environment.
// EDGE_WRANGLER names another wrangler to run (a test's fake); README, "Deploy", walks through it.
const usage = `npm run deploy -- --env ${ENVIRONMENT_NAMES.join("|")} [--dry-run] [--payment-provider stripe|paypal] [--allow-test-payments]`;

let args: ReturnType<typeof parseDeployArgs>;
try {
  args = parseDeployArgs(process.argv.slice(2));
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`);
  process.exit(2);
}
if (args.environments.length === 0 || (args.environments.length > 1 && !args.dryRun)) {
  console.error(`name one environment to deploy (a dry-run may name several)\nusage: ${usage}`);
  process.exit(2);
}

const root = process.cwd();
try {
  for (const name of args.environments) {
    const wrangler = wranglerRunner(root, { script: process.env.EDGE_WRANGLER, accountId: environment(name).accountId });
    const outcome = await deployEnvironment({ root, environment: name, dryRun: args.dryRun, choices: args, wrangler });
    if (!outcome.ok) {
      for (const why of outcome.refusals) console.error(`deploy refused: ${why}`);
      process.exit(1);
    }
  }
} catch (err) {
  // A config the deploy cannot take, or a wrangler call that failed: its message says which and why.
  console.error(`deploy stopped: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
