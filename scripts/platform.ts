import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Miniflare, V4WorkerOptions } from "miniflare";
import type { LoadResult } from "../workers/catalog/seed/load.ts";
import { applyMigrations, d1Targets } from "./d1-migrations.ts";
import { ensureDevVars } from "./dev-vars.ts";
import { launch, workerFromConfig } from "./miniflare-launch.ts";
import { WORKERS } from "./workers.ts";

const SEEDER = "catalog-seeder";
const SEEDER_ENTRY = "workers/catalog/seed/worker.ts";
const CATALOG_CONFIG = "workers/catalog/wrangler.toml";

export type PlatformOptions = {
  /** Project root (where wrangler.toml is). */
  root?: string;
  /** Where D1, R2, Durable Objects and the cache persist; shared with `wrangler dev` by default. */
  stateDir?: string;
  host?: string;
  /** Shopper API port; 0 picks a free one. */
  port?: number;
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
  say?: (line: string) => void;
};

export type Platform = { url: URL; miniflare: Miniflare; dispose: () => Promise<void> };

/** Starts every Worker in one workerd process through the Miniflare API: no dev proxy, no inspector. */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const root = resolve(options.root ?? process.cwd());
  const stateDir = resolve(root, options.stateDir ?? ".wrangler/state");
  const say = options.say ?? (() => {});
  const prev = process.cwd();
  process.chdir(root); // wrangler resolves .dev.vars and relative paths from here
  try {
    ensureDevVars(root);
    mkdirSync(stateDir, { recursive: true });

    const workers: V4WorkerOptions[] = [];
    for (const spec of WORKERS)
      workers.push(await workerFromConfig(root, spec, { logLevel: options.logLevel, vars: options.vars?.[spec.name] }));
    // The seeder gets the catalog's own bindings (same D1 database, same bucket) and nothing to serve,
    // plus the Inventory objects, where the demo's opening stock goes.
    const seeder = await workerFromConfig(root, { name: SEEDER, config: CATALOG_CONFIG }, { entry: join(root, SEEDER_ENTRY) });
    const { queueConsumers: _catalogOnly, ...seederOptions } = seeder;
    workers.push({ ...seederOptions, durableObjects: { INVENTORY: { className: "Inventory", scriptName: "durable-objects" } } });

    const miniflare = launch({ host: options.host, port: options.port, stateDir, workers });
    const url = await miniflare.ready;

    for (const spec of WORKERS) {
      for (const target of d1Targets(join(root, spec.config))) {
        const db = await miniflare.getD1Database(target.binding, spec.name);
        const applied = await applyMigrations(db, target);
        if (applied.length > 0) say(`${spec.name}: applied ${applied.join(", ")}`);
      }
    }

    if (options.demoSize !== 0) {
      const worker = await miniflare.getWorker(SEEDER);
      const query = new URLSearchParams();
      if (options.demoSize !== undefined) query.set("size", String(options.demoSize));
      if (options.demoImagePool !== undefined) query.set("imagePool", String(options.demoImagePool));
      if (options.demoStock === false) query.set("stock", "false");
      const response = await worker.fetch(`http://seeder/demo-shop?${query}`, { method: "POST" });
      if (!response.ok) throw new Error(`loading the demo shop failed: ${response.status} ${await response.text()}`);
      const result = (await response.json()) as LoadResult;
      say(result.loaded ? `catalog: loaded the demo shop (${result.products} products with images)` : `catalog: ${result.reason}`);
    }

    return { url, miniflare, dispose: () => miniflare.dispose() };
  } finally {
    process.chdir(prev);
  }
}
