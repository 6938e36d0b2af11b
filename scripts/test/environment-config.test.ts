import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { ENVIRONMENTS } from "../../deploy/environments.ts";
import { ENVIRONMENT_NAMES, type Environment, type EnvironmentInput, environment } from "../deploy/environment.ts";
import { type EnvironmentConfig, environmentConfig, readTopLevel, type TopLevelConfig } from "../deploy/environment-config.ts";
import { deployOrder, type GeneratedWorker } from "../deploy/order.ts";
import { environmentPlan, PUBLIC_WORKERS } from "../deploy-checks.ts";
import { WORKERS } from "../workers.ts";

const PAYMENTS = "workers/payments/wrangler.toml";
const tops = Object.fromEntries(WORKERS.map((w) => [w.name, readTopLevel(w.config)]));
const OUT = resolve(".wrangler/environments/test");

function generated(env: Environment, worker: string, top: TopLevelConfig = tops[worker] as TopLevelConfig, d1Ids = {}): EnvironmentConfig {
  const source = WORKERS.find((w) => w.name === worker)?.config ?? `workers/${worker}/wrangler.toml`;
  return environmentConfig(top, { sourceDir: resolve(dirname(source)), outDir: join(OUT, worker) }, env, {
    vars: {},
    secrets: [],
    d1Ids,
    isPublic: PUBLIC_WORKERS.includes(worker),
    routes: env.routes[worker] ?? [],
  });
}

/** Every name of an account resource a config uses: the Worker's own, those it binds, databases, buckets, queues. */
function resourceNames(c: TopLevelConfig | EnvironmentConfig): string[] {
  return [
    c.name,
    ...(c.services ?? []).map((s) => s.service),
    ...(c.tail_consumers ?? []).map((t) => t.service),
    ...(c.durable_objects?.bindings ?? []).flatMap((b) => b.script_name ?? []),
    ...(c.d1_databases ?? []).map((d) => d.database_name),
    ...(c.r2_buckets ?? []).map((b) => b.bucket_name),
    ...(c.queues?.producers ?? []).map((q) => q.queue),
    ...(c.queues?.consumers ?? []).flatMap((q) => [q.queue, ...(q.dead_letter_queue ? [q.dead_letter_queue] : [])]),
    ...(c.analytics_engine_datasets ?? []).map((d) => d.dataset ?? d.binding),
  ];
}
const bindingsOf = (c: TopLevelConfig | EnvironmentConfig) =>
  [
    ...(c.services ?? []).map((s) => s.binding),
    ...(c.durable_objects?.bindings ?? []).map((b) => b.name),
    ...(c.d1_databases ?? []).map((d) => d.binding),
    ...(c.r2_buckets ?? []).map((b) => b.binding),
    ...(c.queues?.producers ?? []).map((q) => q.binding),
    ...(c.ratelimits ?? []).map((r) => r.name),
    ...(c.analytics_engine_datasets ?? []).map((d) => d.binding),
    ...Object.keys(c.vars ?? {}),
    ...(c.secrets?.required ?? []),
  ].sort();

describe("each environment's configs, generated from the configs' top level", () => {
  for (const name of Object.keys(ENVIRONMENTS)) {
    it(`${name}: every key, binding, var and trigger of every Worker's top level, each account resource the environment's own`, () => {
      const env = environment(name);
      const namespaces = new Set<string>();
      for (const worker of WORKERS) {
        const top = tops[worker.name] as TopLevelConfig;
        const config = generated(env, worker.name);
        const raw = experimental_readRawConfig({ config: worker.config }).rawConfig as Record<string, unknown>;
        expect(Object.keys(config), worker.name).toEqual(expect.arrayContaining(Object.keys(raw)));
        expect(bindingsOf(config), worker.name).toEqual(bindingsOf(top));
        expect(resourceNames(config), worker.name).toEqual(
          resourceNames(top).map((n) =>
            config.analytics_engine_datasets?.some((d) => d.dataset === `${n}_${name}`) ? `${n}_${name}` : `${n}${env.suffix}`,
          ),
        );
        // No name of a shared (un-suffixed) resource is left anywhere in the generated file.
        const text = JSON.stringify(config);
        for (const plain of resourceNames(top)) expect(text, `${worker.name}: ${plain}`).not.toContain(`"${plain}"`);
        expect(config.triggers, worker.name).toEqual(top.triggers);
        expect(config.migrations, worker.name).toEqual(top.migrations);
        expect(resolve(OUT, worker.name, config.main)).toBe(resolve(dirname(worker.config), top.main));
        for (const [i, db] of (config.d1_databases ?? []).entries()) {
          expect(resolve(OUT, worker.name, db.migrations_dir ?? "")).toBe(
            resolve(dirname(worker.config), top.d1_databases?.[i]?.migrations_dir ?? ""),
          );
        }
        expect(config.workers_dev).toBe(PUBLIC_WORKERS.includes(worker.name) && (env.routes[worker.name] ?? []).length === 0);
        for (const r of config.ratelimits ?? []) namespaces.add(r.namespace_id);
      }
      // Rate limit namespaces are per account: none is the local one, none is shared with the other environment.
      const local = WORKERS.flatMap((w) => (tops[w.name]?.ratelimits ?? []).map((r) => r.namespace_id));
      expect([...namespaces].filter((n) => local.includes(n))).toEqual([]);
      const others = Object.keys(ENVIRONMENTS).filter((other) => other !== name);
      for (const other of others) {
        const theirs = WORKERS.flatMap((w) => (generated(environment(other), w.name).ratelimits ?? []).map((r) => r.namespace_id));
        expect(theirs.filter((n) => namespaces.has(n))).toEqual([]);
      }
    });
  }

  it("names every shard of the orders database after the environment, each with its own id and the same migrations", () => {
    const env = environment("staging");
    const ids = {
      "orders-staging": "00000000-0000-4000-8000-000000000010",
      "orders-1-staging": "00000000-0000-4000-8000-000000000011",
      "orders-2-staging": "00000000-0000-4000-8000-000000000012",
      "orders-3-staging": "00000000-0000-4000-8000-000000000013",
    };
    const config = generated(env, "orders", tops.orders as TopLevelConfig, ids);
    const migrations = relative(join(OUT, "orders"), resolve("workers/orders/db/migrations"));
    expect(config.d1_databases).toEqual(
      ["orders", "orders-1", "orders-2", "orders-3"].map((db, n) => ({
        binding: n === 0 ? "DB" : `DB_${n}`,
        database_name: `${db}-staging`,
        database_id: ids[`${db}-staging` as keyof typeof ids],
        migrations_dir: migrations,
      })),
    );
    // A shard not deployed yet has no id (a dry-run), and takes none of another's.
    const partly = generated(env, "orders", tops.orders as TopLevelConfig, { "orders-staging": ids["orders-staging"] });
    expect(partly.d1_databases?.map((d) => d.database_id)).toEqual([ids["orders-staging"], undefined, undefined, undefined]);
  });

  it("follows what other branches add to a top level: observability, Analytics Engine, a backups bucket, crons, a tail", () => {
    const dir = mkdtempSync(join(tmpdir(), "env-config-"));
    const file = join(dir, "wrangler.toml");
    writeFileSync(
      file,
      `name = "orders"\nmain = "src/index.ts"\ncompatibility_date = "2026-11-01"\n[vars]\nLOG_LEVEL = "info"\nMETRICS_DATASET = "edge_commerce_metrics"\n` +
        `[observability]\nenabled = true\nhead_sampling_rate = 1\n` +
        `[[analytics_engine_datasets]]\nbinding = "METRICS"\ndataset = "edge_commerce_metrics"\n` +
        `[[r2_buckets]]\nbinding = "BACKUPS"\nbucket_name = "edge-commerce-backups"\n` +
        `[triggers]\ncrons = ["* * * * *", "0 3 * * *"]\n[[tail_consumers]]\nservice = "insights"\n`,
    );
    const env = environment("production", {
      production: { ...(ENVIRONMENTS.production as EnvironmentInput), observability: { head_sampling_rate: 0.1 } },
    });
    const config = generated(env, "orders", readTopLevel(file));
    expect(config.observability).toEqual({ enabled: true, head_sampling_rate: 0.1 });
    expect(config.analytics_engine_datasets).toEqual([{ binding: "METRICS", dataset: "edge_commerce_metrics_production" }]);
    // A var naming the dataset (what the admin's SQL queries) is renamed with it; other vars are left alone.
    expect(config.vars).toEqual({ LOG_LEVEL: "info", METRICS_DATASET: "edge_commerce_metrics_production" });
    expect(config.r2_buckets).toEqual([{ binding: "BACKUPS", bucket_name: "edge-commerce-backups-production" }]);
    expect(config.triggers).toEqual({ crons: ["* * * * *", "0 3 * * *"] });
    expect(config.tail_consumers).toEqual([{ service: "insights-production" }]);
  });

  it("switches Workers Logs and traces on in every Worker, with sampling rates, and lets an environment set its own", () => {
    // Every config on disk, not only the deployed list: a new Worker cannot be added without it.
    const onDisk = [
      "durable-objects/wrangler.toml",
      ...readdirSync("workers")
        .map((d) => `workers/${d}/wrangler.toml`)
        .filter((f) => existsSync(f)),
    ];
    expect(onDisk.length).toBeGreaterThanOrEqual(WORKERS.length);
    for (const config of onDisk) {
      const top = readTopLevel(config).observability;
      expect(top, `${config}: needs [observability]`).toMatchObject({
        enabled: true,
        logs: { enabled: true, invocation_logs: true, head_sampling_rate: expect.any(Number) },
        traces: { enabled: true, head_sampling_rate: expect.any(Number) },
      });
    }
    for (const w of WORKERS) {
      for (const name of ENVIRONMENT_NAMES) {
        const generatedOne = generated(environment(name), w.name).observability;
        expect(generatedOne?.logs).toMatchObject({ enabled: true, invocation_logs: true });
        expect(generatedOne?.traces).toMatchObject({ enabled: true });
      }
    }
    const production = generated(environment("production"), "storefront").observability;
    expect(production?.logs).toMatchObject({ head_sampling_rate: 1 });
    expect(production?.traces).toMatchObject({ head_sampling_rate: 0.05 });
    expect(generated(environment("staging"), "storefront").observability?.traces).toMatchObject({ head_sampling_rate: 1 });
    expect(() =>
      environment("production", {
        production: { ...(ENVIRONMENTS.production as EnvironmentInput), observability: { traces: { head_sampling_rate: 2 } } },
      }),
    ).toThrow(/observability\.traces\.head_sampling_rate: a sampling rate is 0 to 1/);
  });

  it("stops at a key it does not know, or an [env] section written by hand, naming the file to teach", () => {
    const dir = mkdtempSync(join(tmpdir(), "env-config-"));
    const file = join(dir, "wrangler.toml");
    writeFileSync(
      file,
      `name = "x"\nmain = "src/index.ts"\ncompatibility_date = "2026-11-01"\n[[kv_namespaces]]\nbinding = "KV"\nid = "abc"\n[env.staging]\nname = "x"\n`,
    );
    expect(() => readTopLevel(file)).toThrow(/kv_namespaces, env: new to the deploy\. Teach scripts\/deploy\/environment-config\.ts/);
    writeFileSync(
      file,
      `name = "x"\nmain = "src/index.ts"\ncompatibility_date = "2026-11-01"\n[[r2_buckets]]\nbinding = "B"\nbucket_name = "b"\nremote = true\n`,
    );
    expect(() => readTopLevel(file)).toThrow(/r2_buckets\.0\.remote: new to the deploy/);
  });
});

describe("what an environment adds, checked", () => {
  const plan = (described: EnvironmentInput, provider?: string) =>
    environmentPlan(environment("e", { e: described }), { paymentProvider: provider, allowTestPayments: false }, tops, PAYMENTS);
  const staging = ENVIRONMENTS.staging as EnvironmentInput;

  it("sets a var only on Workers that declare it, and refuses one no Worker reads", () => {
    const ok = plan({ ...staging, vars: { "*": { LOG_LEVEL: "warn", RETURN_WINDOW_DAYS: "14" } } });
    expect(ok.vars.catalog).toEqual({ LOG_LEVEL: "warn" });
    expect(ok.vars.fulfillment).toEqual({ LOG_LEVEL: "warn", RETURN_WINDOW_DAYS: "14" });
    expect(ok.vars.payments).toEqual({ LOG_LEVEL: "warn", PAYMENT_PROVIDER: "stripe" });
    expect(plan({ ...staging, vars: { catalog: { LOGLEVEL: "warn" }, "*": { NOPE: "1" }, cataloq: {} } }).refusals).toEqual([
      "deploy/environments.ts, e: vars.cataloq names no Worker",
      'deploy/environments.ts, e: no Worker declares vars["*"].NOPE',
      "deploy/environments.ts, e: vars.catalog.LOGLEVEL is not a var of catalog (not in its config)",
    ]);
  });

  it("never turns a local-only switch on, nor routes an internal Worker to the internet", () => {
    const refusals = plan({
      ...staging,
      vars: { storefront: { DEV_ROUTES: "on" } },
      routes: {
        catalog: [{ pattern: "catalog.example.com", custom_domain: true }],
        storefront: [{ pattern: "shop.example.com", custom_domain: true }],
      },
    }).refusals;
    expect(refusals).toEqual([
      "deploy/environments.ts, e: storefront's DEV_ROUTES is on, which only a local platform may be",
      "deploy/environments.ts, e: routes.catalog: only storefront and admin are served to the internet",
    ]);
  });

  it("takes the provider from the description: the command line may repeat it, never contradict it; its needs follow it", () => {
    expect(plan(staging, "paypal").refusals).toEqual([expect.stringContaining("--payment-provider paypal contradicts it")]);
    expect(plan(staging, "stripe").refusals).toEqual([]);
    const stripe = plan(staging);
    expect(stripe.secrets).toEqual({ payments: ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] });
    expect(stripe.pending).toEqual([expect.stringContaining("set vars.payments.STRIPE_PUBLISHABLE_KEY")]);
    const keyed = plan({ ...staging, vars: { payments: { STRIPE_PUBLISHABLE_KEY: "pk_live_abc" } } });
    expect([keyed.pending, keyed.refusals, keyed.vars.payments]).toEqual([
      [],
      [],
      { STRIPE_PUBLISHABLE_KEY: "pk_live_abc", PAYMENT_PROVIDER: "stripe" },
    ]);
    const paypal = plan({ ...staging, paymentProvider: "paypal" });
    expect([paypal.secrets, paypal.pending]).toEqual([{ payments: ["PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET", "PAYPAL_WEBHOOK_ID"] }, []]);
    const { paymentProvider: _none, ...unnamed } = staging;
    expect(plan(unnamed).refusals).toEqual([expect.stringContaining("choose the payment provider")]);
    expect(plan({ ...staging, paymentProvider: "test" }).refusals).toEqual([expect.stringContaining("--allow-test-payments")]);
  });
});

describe("the deploy order", () => {
  const worker = (name: string, binds: string[], isPublic = false): GeneratedWorker => ({
    worker: name,
    file: "",
    source: "",
    config: {
      name: `${name}-x`,
      main: "",
      compatibility_date: "",
      workers_dev: isPublic,
      preview_urls: false,
      services: binds.map((b) => ({ binding: b.toUpperCase(), service: `${b}-x` })),
    },
  });

  it("puts each Worker after those it binds, internal ones before public ones", () => {
    expect(deployOrder([worker("edge", ["b"], true), worker("a", []), worker("b", ["a"]), worker("c", [])])).toEqual([
      "a",
      "b",
      "c",
      "edge",
    ]);
  });

  it("refuses a cycle, and a binding to a Worker it does not deploy", () => {
    expect(() => deployOrder([worker("a", ["b"]), worker("b", ["a"])])).toThrow("cycle");
    expect(() => deployOrder([worker("a", ["ghost"])])).toThrow("a binds ghost-x, which this deploy does not deploy");
  });
});
