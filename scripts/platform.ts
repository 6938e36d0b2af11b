import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare, type V4WorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import type { LoadResult } from "../workers/catalog/seed/load.ts";
import { bundleWorker } from "./bundle.ts";
import { applyMigrations, d1Targets } from "./d1-migrations.ts";
import { ensureDevVars } from "./dev-vars.ts";
import { WORKERS } from "./workers.ts";

const SEEDER = "catalog-seeder";
const SEEDER_ENTRY = "workers/catalog/seed/worker.ts";

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
  /** Overrides every Worker's LOG_LEVEL var (e.g. "warn" for benchmarks). */
  logLevel?: string;
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
    let seeder: V4WorkerOptions | undefined;
    for (const spec of WORKERS) {
      const configPath = join(root, spec.config);
      const { workerOptions, define, main } = unstable_getMiniflareWorkerOptions(configPath);
      if (main === undefined) throw new Error(`${spec.config} has no main entry`);
      const scriptPath = await bundleWorker(main, join(root, ".wrangler/build", spec.name), define);
      // The bundle is one self-contained module, so wrangler's module rules have nothing left to match.
      const { modulesRules: _bundled, ...rest } = workerOptions;
      const bindings = { ...(rest.bindings ?? {}), ...(options.logLevel ? { LOG_LEVEL: options.logLevel } : {}) };
      workers.push({ ...rest, name: spec.name, modules: true, scriptPath, modulesRoot: dirname(scriptPath), bindings });
      if (spec.name === "catalog") {
        // The seeder gets the catalog's own bindings (same D1 database, same bucket) and nothing to serve.
        const seederPath = await bundleWorker(join(root, SEEDER_ENTRY), join(root, ".wrangler/build", SEEDER), {});
        seeder = { ...rest, name: SEEDER, modules: true, scriptPath: seederPath, modulesRoot: dirname(seederPath), bindings };
      }
    }
    if (seeder !== undefined) workers.push(seeder);

    // wrangler hands out worker options in Miniflare's v4 shape; Miniflare 5 converts them itself.
    const miniflare = new Miniflare(
      convertV4MiniflareOptions({
        host: options.host ?? "127.0.0.1",
        port: options.port ?? 8787,
        resourcePersistencePath: join(stateDir, "v3"),
        log: new Log(LogLevel.WARN),
        cf: false, // the real `request.cf` would be fetched from Cloudflare; locally a placeholder will do
        workers,
      }),
    );
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
      const query = options.demoSize === undefined ? "" : `?size=${options.demoSize}`;
      const response = await worker.fetch(`http://seeder/demo-shop${query}`, { method: "POST" });
      if (!response.ok) throw new Error(`loading the demo shop failed: ${response.status} ${await response.text()}`);
      const result = (await response.json()) as LoadResult;
      say(result.loaded ? `catalog: loaded the demo shop (${result.products} products with images)` : `catalog: ${result.reason}`);
    }

    return { url, miniflare, dispose: () => miniflare.dispose() };
  } finally {
    process.chdir(prev);
  }
}
