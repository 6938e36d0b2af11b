import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

/** Bundles a Worker's entry module to one ES module, as wrangler would, for Miniflare to load. */
export async function bundleWorker(entry: string, outDir: string, define: Record<string, string>): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, "index.js");
  await build({
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    format: "esm",
    target: "es2024",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    define,
    sourcemap: "linked",
    logLevel: "warning",
  });
  return outfile;
}
