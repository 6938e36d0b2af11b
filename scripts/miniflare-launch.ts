import { dirname, join } from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare, type V4WorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { bundleWorker } from "./bundle.ts";

export type WorkerSpec = { name: string; config: string };

/**
 * A Worker's Miniflare options, read from its wrangler config (the single source of bindings) and pointed
 * at a fresh esbuild bundle of its entry. `entry` swaps in another script with the same bindings.
 */
export async function workerFromConfig(
  root: string,
  spec: WorkerSpec,
  overrides: { logLevel?: string | undefined; entry?: string; vars?: Record<string, string> | undefined } = {},
): Promise<V4WorkerOptions> {
  const { workerOptions, define, main } = unstable_getMiniflareWorkerOptions(join(root, spec.config));
  const entry = overrides.entry ?? main;
  if (entry === undefined) throw new Error(`${spec.config} has no main entry`);
  const scriptPath = await bundleWorker(entry, join(root, ".wrangler/build", spec.name), define);
  // The bundle is one self-contained module, so wrangler's module rules have nothing left to match.
  const { modulesRules: _bundled, ...rest } = workerOptions;
  const bindings = { ...(rest.bindings ?? {}), ...(overrides.logLevel ? { LOG_LEVEL: overrides.logLevel } : {}), ...overrides.vars };
  return { ...rest, name: spec.name, modules: true, scriptPath, modulesRoot: dirname(scriptPath), bindings };
}

/** One line a Worker wrote to its console (workerd hands them over structured: level and text). */
export type RuntimeLog = { level: string; message: string };

export type LaunchOptions = {
  host?: string | undefined;
  port?: number;
  stateDir: string;
  workers: V4WorkerOptions[];
  /** Takes the Workers' console lines instead of printing them (tests read the JSON logs). */
  onLog?: ((log: RuntimeLog) => void) | undefined;
};

/** Miniflare's options for one workerd process serving `workers` (the first on host:port), persisting under stateDir. */
export function miniflareOptions(options: LaunchOptions) {
  // wrangler hands out worker options in Miniflare's v4 shape; Miniflare 5 converts them itself.
  return convertV4MiniflareOptions({
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 8787,
    resourcePersistencePath: join(options.stateDir, "v3"),
    log: new Log(LogLevel.WARN),
    cf: false, // the real `request.cf` would be fetched from Cloudflare; locally a placeholder will do
    ...(options.onLog ? { handleStructuredLogs: options.onLog } : {}),
    workers: options.workers,
  });
}

export function launch(options: LaunchOptions): Miniflare {
  return new Miniflare(miniflareOptions(options));
}
