import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Miniflare, V4WorkerOptions } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { EVERY_MINUTE } from "#shared/cron.ts";
import type { LoadResult } from "../workers/catalog/seed/load.ts";
import { applyMigrations, d1Targets } from "./d1-migrations.ts";
import { ensureDevVars, LOCAL_VARS } from "./dev-vars.ts";
import { metricsSinkWorker, withLocalMetrics } from "./metrics-sink.ts";
import { launch, miniflareOptions, type RuntimeLog, type WorkerSpec, workerFromConfig } from "./miniflare-launch.ts";
import { type Gate, openGate } from "./starting-gate.ts";
import { WORKERS } from "./workers.ts";

const SEEDER = "demo-seeder";
const SEEDER_ENTRY = "scripts/demo-seeder/worker.ts";
const CATALOG_CONFIG = "workers/catalog/wrangler.toml";
const IDENTITY_CONFIG = "workers/identity/wrangler.toml";
const ADMIN = "admin";

export type PlatformOptions = {
  /** Project root (where package.json is). */
  root?: string;
  /** Where D1, R2, Durable Objects and the cache persist; shared with `wrangler dev` by default. */
  stateDir?: string;
  host?: string;
  /** Shopper API port; 0 picks a free one. */
  port?: number;
  /** Merchant API (admin Worker) port; 0 picks a free one. */
  adminPort?: number;
  /** Demo shop size when the catalog is empty; 0 skips loading it. */
  demoSize?: number;
  /** Draw only this many demo images and reuse them (for very large demo catalogs). */
  demoImagePool?: number;
  /**
   * Write each SKU's opening stock into its Inventory object (default). Off for catalogs of 10,000+
   * products that are only read: every object is its own SQLite database, and 25,000 of them exhaust
   * workerd's open files locally.
   */
  demoStock?: boolean;
  /** Overrides every Worker's LOG_LEVEL var (e.g. "warn" for benchmarks). */
  logLevel?: string;
  /** Overrides vars per Worker, e.g. `{ "durable-objects": { CART_IDLE_TTL_SECONDS: "3" } }` in tests. */
  vars?: Record<string, Record<string, string>>;
  /**
   * Another entry module per Worker, with the same config and bindings: tests wrap a Worker's classes to
   * crash at chosen points, so no fault injection lives in production code.
   */
  entries?: Record<string, string>;
  say?: (line: string) => void;
  /** Takes every Worker's console lines instead of printing them (a test reads the JSON logs). */
  onLog?: (log: RuntimeLog) => void;
  /**
   * Keep the Workers' metrics in the local sink (default), for the operations page. Off for benchmarks: each
   * point costs a D1 write here, where production's `writeDataPoint` costs next to nothing; Miniflare's own
   * dataset binding then takes the points and keeps none.
   */
  localMetrics?: boolean;
};

export type Platform = { url: URL; adminUrl: URL; miniflare: Miniflare; dispose: () => Promise<void> };

/** Starts every Worker in one workerd process through the Miniflare API: no dev proxy, no inspector. */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const root = resolve(options.root ?? process.cwd());
  const stateDir = resolve(root, options.stateDir ?? ".wrangler/state");
  const say = options.say ?? (() => {});
  const prev = process.cwd();
  let gate: Gate | null = null;
  process.chdir(root); // wrangler resolves .dev.vars and relative paths from here
  try {
    ensureDevVars(root);
    mkdirSync(stateDir, { recursive: true });

    const host = options.host ?? "127.0.0.1";
    const port = options.port ?? 8787;
    const adminPort = options.adminPort ?? 8788;
    // Fixed public ports answer 503 until the platform is ready; workerd loads behind internal ports meanwhile,
    // then takes the public ones over. (With port 0 nobody can know the port before it is ready.)
    const fixed = [port, adminPort].filter((p) => p !== 0);
    gate = fixed.length > 0 ? await openGate(host, fixed) : null;

    const workers: V4WorkerOptions[] = [];
    const admin: V4WorkerOptions[] = [];
    for (const spec of WORKERS) {
      const vars = { ...LOCAL_VARS[spec.name], ...options.vars?.[spec.name] };
      const entry = options.entries?.[spec.name];
      const fromConfig = await workerFromConfig(root, spec, {
        logLevel: options.logLevel,
        vars,
        ...(entry ? { entry: resolve(root, entry) } : {}),
      });
      const worker = options.localMetrics === false ? fromConfig : withLocalMetrics(fromConfig);
      if (spec.name === ADMIN) admin.push(worker);
      workers.push(worker);
    }
    // The merchant API gets its own port on the same process, as it has its own hostname in production.
    const listenOn = (adminListen: number): void => {
      for (const worker of admin) worker.unsafeDirectSockets = [{ host, port: adminListen }];
    };
    workers.push(await demoSeederWorker(root, { accounts: true }));

    if (options.localMetrics !== false) workers.push(await metricsSinkWorker(root));

    listenOn(gate === null ? adminPort : 0);
    const miniflare = launch({ host, port: gate === null ? port : 0, stateDir, workers, onLog: options.onLog });
    await miniflare.ready;

    await migrateAll(miniflare, root, WORKERS, say);

    if (options.demoSize !== 0) {
      const worker = await miniflare.getWorker(SEEDER);
      const query = new URLSearchParams();
      if (options.demoSize !== undefined) query.set("size", String(options.demoSize));
      if (options.demoImagePool !== undefined) query.set("imagePool", String(options.demoImagePool));
      if (options.demoStock === false) query.set("stock", "false");
      // The shop (catalog D1, R2, Inventory objects) and the accounts (identity D1) share nothing: load both at once.
      const [result, accounts] = await Promise.all([
        seed<LoadResult>(worker, `http://seeder/demo-shop?${query}`, "loading the demo shop"),
        seed<{ accounts: number }>(worker, "http://seeder/demo-accounts", "creating the demo accounts"),
      ]);
      say(result.loaded ? `catalog: loaded the demo shop (${result.products} products with images)` : `catalog: ${result.reason}`);
      const made = accounts.accounts;
      if (made > 0) say(`identity: created ${made} demo accounts (password in the README)`);
    }

    if (gate !== null) {
      await gate.close();
      listenOn(adminPort);
      await miniflare.setOptions(miniflareOptions({ host, port, stateDir, workers, onLog: options.onLog }));
    }
    const url = await miniflare.ready;
    const adminUrl = await miniflare.unsafeGetDirectURL(ADMIN);
    const crons = await startCronTicker(miniflare, root, say);
    return {
      url,
      adminUrl,
      miniflare,
      dispose: () => {
        clearInterval(crons);
        return miniflare.dispose();
      },
    };
  } catch (err) {
    await gate?.close();
    throw err;
  } finally {
    process.chdir(prev);
  }
}

/**
 * The demo seeder: the catalog's own bindings (same D1 database, same bucket) and nothing to serve, plus the
 * Inventory objects (opening stock) and, with `accounts`, identity's database (demo accounts).
 */
export async function demoSeederWorker(root: string, options: { accounts: boolean }): Promise<V4WorkerOptions> {
  const seeder = await workerFromConfig(root, { name: SEEDER, config: CATALOG_CONFIG }, { entry: join(root, SEEDER_ENTRY) });
  const { queueConsumers: _catalogOnly, ...seederOptions } = seeder;
  const identityDb = options.accounts
    ? unstable_readConfig({ config: join(root, IDENTITY_CONFIG) }).d1_databases[0]?.database_id
    : undefined;
  return {
    ...seederOptions,
    d1Databases: { ...(seederOptions.d1Databases as Record<string, string>), ...(identityDb ? { IDENTITY_DB: identityDb } : {}) },
    durableObjects: { INVENTORY: { className: "Inventory", scriptName: "durable-objects" } },
  };
}

/** Applies the migrations not yet run to every D1 database of `specs`' Workers, all served by `miniflare`. */
export async function migrateAll(miniflare: Miniflare, root: string, specs: readonly WorkerSpec[], say: (line: string) => void = () => {}) {
  for (const spec of specs) {
    for (const target of d1Targets(join(root, spec.config))) {
      const applied = await applyMigrations(await miniflare.getD1Database(target.binding, spec.name), target);
      if (applied.length > 0) say(`${spec.name}: applied ${applied.join(", ")}`);
    }
  }
}

/**
 * Miniflare does not fire cron triggers by itself: once a minute, every Worker whose config has an every-minute
 * cron gets its `scheduled` event, as in production (the outboxes' backstop sends rely on it). The daily backup
 * cron is not fired here: `npm run backup` takes one when asked.
 */
async function startCronTicker(miniflare: Miniflare, root: string, say: (line: string) => void): Promise<ReturnType<typeof setInterval>> {
  const scheduled = WORKERS.filter((spec) =>
    (unstable_readConfig({ config: join(root, spec.config) }).triggers.crons ?? []).includes(EVERY_MINUTE),
  );
  // The first call through Miniflare's proxy blocks Node until workerd answers; made later, under load while
  // workerd writes logs to Node, both can wait on each other forever. So the proxies are made (and each cron
  // fired once) now, while the platform is idle.
  const workers = await Promise.all(scheduled.map(async (spec) => ({ spec, worker: await miniflare.getWorker(spec.name) })));
  const tick = () => {
    for (const { spec, worker } of workers) {
      worker
        .scheduled({ cron: EVERY_MINUTE, scheduledTime: new Date() })
        .catch((err: unknown) => say(`${spec.name}: scheduled run failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  };
  tick();
  const timer = setInterval(tick, 60_000);
  timer.unref();
  return timer;
}

type SeederWorker = Awaited<ReturnType<Miniflare["getWorker"]>>;

/**
 * One seeder call. Seen once in CI: the Node proxy handed back a response whose body was already consumed
 * ("Body is unusable"). The seeder loads only into an empty shop and creates accounts only once, so asking
 * again is safe: the second answer says what is there.
 */
async function seed<T>(worker: SeederWorker, url: string, what: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const response = await worker.fetch(url, { method: "POST" });
    try {
      const text = await response.text();
      if (!response.ok) throw new Error(`${what} failed: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    } catch (err) {
      if (!(err instanceof TypeError) || attempt >= 3) throw err;
    }
  }
}
