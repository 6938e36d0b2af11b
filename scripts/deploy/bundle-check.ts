import { readdirSync, readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { GeneratedWorker } from "./order.ts";
import type { Wrangler } from "./wrangler-runner.ts";

export type BundleSize = { script: string; raw: number; gzip: number; warnings: string[] };

// Most of a dry-run is wrangler starting (about 1 s a Worker, bundling about 0.5 s), so Workers are bundled a few at
// a time rather than one after another.
const AT_ONCE = Math.max(1, Math.min(4, availableParallelism()));

async function inTurns<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await run(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, items.length) }, worker));
  return results;
}

/**
 * `wrangler deploy --dry-run` for every Worker, offline: wrangler validates the generated config and builds
 * exactly what would be uploaded into `<outDir>/<worker>/bundle`, and stops there. Sizes are raw and gzip (which is
 * what the limit counts).
 */
export function bundleAll(wrangler: Wrangler, workers: readonly GeneratedWorker[], outDir: string): Promise<BundleSize[]> {
  return inTurns(workers, async (w) => {
    const bundle = join(outDir, w.worker, "bundle");
    const run = await wrangler(["deploy", "--dry-run", "--outdir", bundle, "-c", w.file]);
    if (run.status !== 0) throw new Error(`${w.config.name} does not bundle:\n${`${run.stdout}\n${run.stderr}`.trim()}`);
    // Warnings about the config (a field wrangler does not know, say) are shown: the deploy would meet them too.
    const warnings = run.stderr.split("\n").filter((line) => line.includes("[WARNING]"));
    const files = readdirSync(bundle).filter((f) => f.endsWith(".js"));
    if (files.length === 0) throw new Error(`${w.config.name}: wrangler produced no bundle`);
    const raw = files.reduce((n, f) => n + statSync(join(bundle, f)).size, 0);
    const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(join(bundle, f))).length, 0);
    return { script: w.config.name, raw, gzip, warnings };
  });
}

export function sizeTable(sizes: readonly BundleSize[]): string[] {
  const width = Math.max(6, ...sizes.map((s) => s.script.length));
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(8)} KiB`;
  return [
    `${"worker".padEnd(width)} ${"bundle".padStart(12)} ${"compressed".padStart(17)}`,
    ...sizes.map((s) => `${s.script.padEnd(width)} ${kib(s.raw)} ${kib(s.gzip)} gzip`),
    ...sizes.flatMap((s) => s.warnings.map((warning) => `${s.script}: ${warning.trim()}`)),
  ];
}
