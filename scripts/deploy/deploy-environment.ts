import { rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { type DeployChoices, type EnvironmentPlan, environmentPlan, PUBLIC_WORKERS } from "../deploy-checks.ts";
import { WORKERS } from "../workers.ts";
import { listD1, readAccount, secretsOf } from "./account.ts";
import { bundleAll, sizeTable } from "./bundle-check.ts";
import { type Environment, type EnvironmentInput, environment, idsFile, readIds, writeIds } from "./environment.ts";
import { environmentConfig, readTopLevel, type TopLevelConfig, writeEnvironmentConfig } from "./environment-config.ts";
import { deployOrder, type GeneratedWorker } from "./order.ts";
import { type Wrangler, wranglerOk } from "./wrangler-runner.ts";

// `npm run deploy -- --env <name> [--dry-run]`: everything that needs no account first (checks, generated configs,
// every bundle), so a mistake stops the deploy before the account is touched; then the account, read before it is
// written (missing secrets refuse the deploy before anything is created); then resources, migrations and Workers.

export type DeployOptions = {
  root: string;
  environment: string;
  dryRun: boolean;
  choices: DeployChoices;
  wrangler: Wrangler;
  /** deploy/environments.ts, unless a test describes its own. */
  environments?: Readonly<Record<string, EnvironmentInput>>;
  /** Where <environment>.json with the D1 ids is kept (deploy/ids). */
  idsDir?: string;
  /** Where the generated configs and bundles go (.wrangler/environments/<environment>). */
  outDir?: string;
  say?: (line: string) => void;
};

export type DeployOutcome = { ok: true; order: string[]; created: string[] } | { ok: false; refusals: string[] };

const PAYMENTS = "payments";

// Every D1 database a config binds is one here, each shard of a sharded one too (orders-1-staging…): found or
// created by its name, its id recorded, migrated with the config of the Worker that binds it.
type Resources = { d1: { name: string; worker: GeneratedWorker }[]; buckets: string[]; queues: string[] };

function resourcesOf(workers: readonly GeneratedWorker[]): Resources {
  const d1 = new Map<string, GeneratedWorker>();
  const buckets = new Set<string>();
  const queues = new Set<string>();
  for (const w of workers) {
    for (const db of w.config.d1_databases ?? []) if (!d1.has(db.database_name)) d1.set(db.database_name, w);
    for (const b of w.config.r2_buckets ?? []) buckets.add(b.bucket_name);
    for (const p of w.config.queues?.producers ?? []) queues.add(p.queue);
    for (const c of w.config.queues?.consumers ?? []) {
      queues.add(c.queue);
      if (c.dead_letter_queue !== undefined) queues.add(c.dead_letter_queue);
    }
  }
  return { d1: [...d1].map(([name, worker]) => ({ name, worker })), buckets: [...buckets], queues: [...queues] };
}

function generate(
  root: string,
  outDir: string,
  env: Environment,
  tops: Record<string, TopLevelConfig>,
  plan: EnvironmentPlan,
  d1Ids: Record<string, string>,
): GeneratedWorker[] {
  return WORKERS.map((spec) => {
    const source = join(root, spec.config);
    const file = join(outDir, spec.name, "wrangler.jsonc");
    const top = tops[spec.name] as TopLevelConfig;
    const config = environmentConfig(top, { sourceDir: dirname(source), outDir: dirname(file) }, env, {
      vars: plan.vars[spec.name] ?? {},
      secrets: plan.secrets[spec.name] ?? [],
      d1Ids,
      isPublic: PUBLIC_WORKERS.includes(spec.name),
      routes: env.routes[spec.name] ?? [],
    });
    writeEnvironmentConfig(file, config, spec.config, env.name);
    return { worker: spec.name, config, file, source: spec.config };
  });
}

export async function deployEnvironment(options: DeployOptions): Promise<DeployOutcome> {
  const say = options.say ?? ((line: string) => console.log(line));
  const root = resolve(options.root);
  const idsDir = resolve(root, options.idsDir ?? "deploy/ids");
  const outDir = resolve(root, options.outDir ?? join(".wrangler/environments", options.environment));
  const { wrangler } = options;
  const env = environment(options.environment, options.environments);
  const tops = Object.fromEntries(WORKERS.map((w) => [w.name, readTopLevel(join(root, w.config))]));
  const paymentsConfig = WORKERS.find((w) => w.name === PAYMENTS)?.config ?? "";
  const plan = environmentPlan(env, options.choices, tops, join(root, paymentsConfig));
  if (plan.refusals.length > 0) return { ok: false, refusals: plan.refusals };

  rmSync(outDir, { recursive: true, force: true });
  const recorded = readIds(idsDir, env.name);
  let workers = generate(root, outDir, env, tops, plan, recorded.d1);
  const order = deployOrder(workers);
  const script = (worker: string) => workers.find((w) => w.worker === worker)?.config.name ?? worker;
  const sizes = await bundleAll(wrangler, workers, outDir);
  const resources = resourcesOf(workers);
  const secrets = workers.flatMap((w) => (w.config.secrets === undefined ? [] : [{ w, names: w.config.secrets.required }]));

  say(`${env.name}: every Worker bundled and its generated config checked by wrangler (${relative(root, outDir)}/<worker>/)`);
  for (const line of sizeTable(sizes)) say(`  ${line}`);
  if (options.dryRun) {
    say("D1 databases (found by name or created; migrations applied with --remote):");
    for (const db of resources.d1) say(`  ${db.name.padEnd(28)} ${recorded.d1[db.name] ?? "not deployed yet"}`);
    say(`R2 buckets (found by name or created): ${resources.buckets.join(", ")}`);
    say(`Queues (found by name or created): ${resources.queues.join(", ")}`);
    say("Secrets checked before anything is created:");
    for (const { w, names } of secrets) say(`  ${w.config.name}: ${names.join(", ")}`);
    say(`Deploy order: ${order.map(script).join(" → ")}`);
    for (const item of plan.pending) say(`Before deploying: ${item}`);
    return { ok: true, order, created: [] };
  }
  if (plan.pending.length > 0) return { ok: false, refusals: plan.pending };

  const account = await readAccount(wrangler);
  const missing: string[] = [];
  for (const { w, names } of secrets) {
    const set = await secretsOf(wrangler, w.config.name, w.file);
    for (const name of names.filter((n) => !set.has(n))) {
      missing.push(`${w.config.name} has no secret ${name}: npx wrangler secret put ${name} --name ${w.config.name}`);
    }
  }
  if (missing.length > 0) return { ok: false, refusals: [...missing, "(README, Deploy, says what each secret holds)"] };

  const created: string[] = [];
  const create = async (what: string, name: string, args: string[]) => {
    say(`creating ${what} ${name}`);
    await wranglerOk(wrangler, args);
    created.push(`${what} ${name}`);
  };
  for (const db of resources.d1) if (!account.d1.has(db.name)) await create("D1 database", db.name, ["d1", "create", db.name]);
  for (const bucket of resources.buckets)
    if (!account.buckets.has(bucket)) await create("R2 bucket", bucket, ["r2", "bucket", "create", bucket]);
  for (const queue of resources.queues) if (!account.queues.has(queue)) await create("queue", queue, ["queues", "create", queue]);

  const d1 = created.some((c) => c.startsWith("D1")) ? await listD1(wrangler) : account.d1;
  const ids = { d1: { ...recorded.d1 } };
  for (const db of resources.d1) {
    const id = d1.get(db.name);
    if (id === undefined) throw new Error(`D1 database ${db.name} is not in the account after it was created`);
    if (recorded.d1[db.name] !== undefined && recorded.d1[db.name] !== id)
      say(`${db.name}: the account's id ${id} replaces ${recorded.d1[db.name]}`);
    ids.d1[db.name] = id;
  }
  writeIds(idsDir, env.name, ids);
  say(`D1 ids written to ${relative(root, idsFile(idsDir, env.name))} (commit it)`);
  workers = generate(root, outDir, env, tops, plan, ids.d1);

  for (const db of resources.d1) {
    say(`migrating ${db.name}`);
    const file = workers.find((w) => w.worker === db.worker.worker)?.file ?? db.worker.file;
    await wranglerOk(wrangler, ["d1", "migrations", "apply", db.name, "--remote", "-c", file]);
  }
  const deployed: string[] = [];
  for (const worker of order) {
    const w = workers.find((x) => x.worker === worker) as GeneratedWorker;
    say(`deploying ${w.config.name}`);
    const run = await wrangler(["deploy", "-c", w.file]);
    for (const line of `${run.stdout}\n${run.stderr}`.trim().split("\n")) say(`  ${line}`);
    if (run.status !== 0) {
      return {
        ok: false,
        refusals: [
          `${w.config.name} did not deploy (above). Deployed now: ${deployed.join(", ") || "none"}; the rest still run their previous version.`,
          "Fix it and deploy again (a deploy finds what exists and changes only what is not there yet), or roll one back: npx wrangler rollback --name <worker>",
        ],
      };
    }
    deployed.push(w.config.name);
  }
  say(`${env.name} deployed: ${deployed.join(", ")}`);
  return { ok: true, order, created };
}
