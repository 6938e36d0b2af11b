import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { experimental_readRawConfig } from "wrangler";
import { z } from "zod";
import type { Environment } from "./environment.ts";

// Each Worker's config for a deployed environment, generated from the config's top level (the local one) at every
// deploy and dry-run, into .wrangler/ (never committed, so there is nothing to keep in step). Wrangler does not
// inherit bindings or vars into [env.*] sections: environments written by hand into ten configs would each have
// to repeat every binding, and drift from the top level the first time someone adds one. Here a binding added to
// the top level is in every environment at the next deploy, renamed after it.
//
// Every key of the top level is known below, with what it becomes in an environment. A key this file does not
// know stops the deploy: a new kind of binding may name an account resource (which must not be shared between
// staging and production), so someone decides how it is named before it is deployed anywhere.

const Name = z.string().min(1);
const Passed = z.looseObject({}); // copied as it is: settings, not names of account resources

const TopLevel = z
  .object({
    name: Name,
    main: Name,
    compatibility_date: Name,
    compatibility_flags: z.array(z.string()).optional(),
    vars: z.record(z.string(), z.string()).optional(),
    services: z.array(z.object({ binding: Name, service: Name, entrypoint: Name.optional() }).strict()).optional(),
    durable_objects: z
      .object({ bindings: z.array(z.object({ name: Name, class_name: Name, script_name: Name.optional() }).strict()) })
      .strict()
      .optional(),
    migrations: z.array(Passed).optional(),
    d1_databases: z
      .array(
        z
          .object({
            binding: Name,
            database_name: Name,
            database_id: Name,
            migrations_dir: Name.optional(),
            migrations_table: Name.optional(),
          })
          .strict(),
      )
      .optional(),
    r2_buckets: z.array(z.object({ binding: Name, bucket_name: Name, jurisdiction: Name.optional() }).strict()).optional(),
    queues: z
      .object({
        producers: z.array(z.object({ binding: Name, queue: Name, delivery_delay: z.number().optional() }).strict()).optional(),
        consumers: z.array(z.looseObject({ queue: Name, dead_letter_queue: Name.optional() })).optional(),
      })
      .strict()
      .optional(),
    ratelimits: z.array(z.object({ name: Name, namespace_id: z.string().regex(/^\d+$/), simple: Passed }).strict()).optional(),
    analytics_engine_datasets: z.array(z.object({ binding: Name, dataset: Name.optional() }).strict()).optional(),
    secrets: z
      .object({ required: z.array(Name) })
      .strict()
      .optional(),
    triggers: z
      .object({ crons: z.array(z.string()) })
      .strict()
      .optional(),
    send_email: z.array(z.looseObject({ name: Name })).optional(),
    tail_consumers: z.array(z.object({ service: Name, environment: Name.optional() }).strict()).optional(),
    version_metadata: z.object({ binding: Name }).strict().optional(),
    observability: z.looseObject({ logs: Passed.optional(), traces: Passed.optional() }).optional(),
    limits: Passed.optional(),
    placement: Passed.optional(),
    upload_source_maps: z.boolean().optional(),
    logpush: z.boolean().optional(),
    minify: z.boolean().optional(),
  })
  .strict();
export type TopLevelConfig = z.output<typeof TopLevel>;

export type Route = { pattern: string; zone_name: string } | { pattern: string; custom_domain: true };
type D1Binding = NonNullable<TopLevelConfig["d1_databases"]>[number];
export type EnvironmentConfig = Omit<TopLevelConfig, "d1_databases"> & {
  /** Without an id until the database exists (a dry-run of an environment never deployed). */
  d1_databases?: (Omit<D1Binding, "database_id"> & { database_id?: string })[];
  account_id?: string;
  workers_dev: boolean;
  preview_urls: boolean;
  routes?: Route[];
};

/** A Worker's top level as wrangler reads it, or why this deploy cannot take it. */
export function readTopLevel(configPath: string): TopLevelConfig {
  const parsed = TopLevel.safeParse(experimental_readRawConfig({ config: configPath }).rawConfig);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.code === "unrecognized_keys"
      ? `${[...issue.path, ""].join(".")}${issue.keys.join(", ")}: new to the deploy. Teach scripts/deploy/environment-config.ts how it is named in each environment (or that it is copied as it is)`
      : `${issue.path.join(".")}: ${issue.message}`,
  );
  throw new Error(`${configPath}: ${problems.join("; ")}`);
}

/** What one Worker gets in the environment beyond its top level (checked by scripts/deploy-checks.ts). */
export type EnvironmentAdditions = {
  vars: Record<string, string>;
  secrets: readonly string[];
  /** D1 ids by the environment's database name; a database not listed is deployed without one (dry-run only). */
  d1Ids: Readonly<Record<string, string>>;
  /** Serves the internet (storefront, admin): on its routes, or on workers.dev without any. */
  isPublic: boolean;
  routes: readonly Route[];
};

/**
 * The top level in an environment: every name of an account resource (the Worker itself, the Workers it binds,
 * D1 databases, R2 buckets, queues, datasets, rate limit namespaces) made the environment's own, paths made
 * relative to where the generated file is written, and the environment's vars, secrets and routes added.
 */
export function environmentConfig(
  top: TopLevelConfig,
  paths: { sourceDir: string; outDir: string },
  env: Environment,
  add: EnvironmentAdditions,
): EnvironmentConfig {
  const named = (name: string) => `${name}${env.suffix}`;
  const rebased = (path: string) => relative(paths.outDir, resolve(paths.sourceDir, path));
  const {
    services,
    tail_consumers,
    durable_objects,
    d1_databases,
    r2_buckets,
    queues,
    ratelimits,
    analytics_engine_datasets,
    ...settings
  } = top;
  const secrets = [...new Set([...(top.secrets?.required ?? []), ...add.secrets])];
  const datasetNamed = (dataset: string) => `${dataset}${env.suffix.replaceAll("-", "_")}`;
  // A var naming a dataset this Worker binds (the admin's METRICS_DATASET, which its SQL queries) follows the
  // dataset's rename; otherwise the page would read the local name, a dataset nobody writes in the environment.
  const datasets = new Set((analytics_engine_datasets ?? []).map((d) => d.dataset ?? d.binding));
  const vars = Object.fromEntries(Object.entries(top.vars ?? {}).map(([k, v]) => [k, datasets.has(v) ? datasetNamed(v) : v]));
  return {
    ...settings,
    name: named(top.name),
    main: rebased(top.main),
    ...(env.accountId === undefined ? {} : { account_id: env.accountId }),
    workers_dev: add.isPublic && add.routes.length === 0,
    preview_urls: false,
    ...(add.routes.length > 0 ? { routes: [...add.routes] } : {}),
    vars: { ...vars, ...add.vars },
    ...(secrets.length > 0 ? { secrets: { required: secrets } } : {}),
    ...(top.observability === undefined ? {} : { observability: observabilityFor(top.observability, env.observability) }),
    ...(services && { services: services.map((s) => ({ ...s, service: named(s.service) })) }),
    ...(tail_consumers && { tail_consumers: tail_consumers.map((t) => ({ ...t, service: named(t.service) })) }),
    ...(durable_objects && {
      durable_objects: {
        bindings: durable_objects.bindings.map((b) => (b.script_name === undefined ? b : { ...b, script_name: named(b.script_name) })),
      },
    }),
    ...(d1_databases && {
      d1_databases: d1_databases.map(({ database_id: _local, ...db }) => {
        const id = add.d1Ids[named(db.database_name)];
        // wrangler's default folder is `migrations` beside the config: spelled out, so it survives the move.
        const migrations_dir = rebased(db.migrations_dir ?? "migrations");
        return { ...db, database_name: named(db.database_name), ...(id === undefined ? {} : { database_id: id }), migrations_dir };
      }),
    }),
    ...(r2_buckets && { r2_buckets: r2_buckets.map((b) => ({ ...b, bucket_name: named(b.bucket_name) })) }),
    ...(queues && {
      queues: {
        ...(queues.producers && { producers: queues.producers.map((p) => ({ ...p, queue: named(p.queue) })) }),
        ...(queues.consumers && {
          consumers: queues.consumers.map((c) => ({
            ...c,
            queue: named(c.queue),
            ...(c.dead_letter_queue === undefined ? {} : { dead_letter_queue: named(c.dead_letter_queue) }),
          })),
        }),
      },
    }),
    ...(ratelimits && {
      ratelimits: ratelimits.map((r) => ({ ...r, namespace_id: String(Number(r.namespace_id) + env.rateLimitNamespaceOffset) })),
    }),
    ...(analytics_engine_datasets && {
      analytics_engine_datasets: analytics_engine_datasets.map((d) => ({
        ...d,
        dataset: datasetNamed(d.dataset ?? d.binding),
      })),
    }),
  };
}

/** Writes the generated config as JSONC (wrangler reads it by its extension), saying where it came from. */
export function writeEnvironmentConfig(file: string, config: EnvironmentConfig, from: string, env: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const header = `// Generated by npm run deploy for ${env} from ${from} and deploy/environments.ts: edit those, not this.\n`;
  writeFileSync(file, `${header}${JSON.stringify(config, null, 2)}\n`);
}

type Observability = NonNullable<TopLevelConfig["observability"]>;

/** The config's [observability] with the environment's sampling rates over it, logs and traces each merged on their own. */
function observabilityFor(top: Observability, rates: Environment["observability"]): Observability {
  if (rates === undefined) return top;
  const { logs, traces, ...whole } = rates;
  return {
    ...top,
    ...whole,
    ...(logs === undefined ? {} : { logs: { ...top.logs, ...logs } }),
    ...(traces === undefined ? {} : { traces: { ...top.traces, ...traces } }),
  };
}
