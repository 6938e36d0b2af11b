import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// Each Worker owns its code: its source imports by relative path only inside its own folder, and the shared
// contracts and code by the package's subpath imports (#schema/…, #shared/…: package.json "imports"), never by
// climbing out. Another Worker is reached through its binding, typed by the Worker's own generated Env.

// Every non-test folder of a Worker counts (src, seed, db…); not its tests, which may reach for another's fixtures,
// nor wrangler's generated worker-configuration.d.ts, which types the service bindings by the other Workers' entries.
const root = resolve(import.meta.dirname, "../..");
const sources = execFileSync("git", ["ls-files", "workers/*/**", "durable-objects/src/**"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((path) => /\.tsx?$/.test(path) && !/^workers\/[^/]+\/test\//.test(path) && !path.endsWith("/worker-configuration.d.ts"));

/** The Worker a path belongs to: `workers/<name>` or `durable-objects`. */
const workerOf = (path: string): string =>
  path.startsWith("workers/") ? path.split("/").slice(0, 2).join("/") : (path.split("/")[0] ?? "");

describe("Worker boundaries", () => {
  it("no Worker's code (source, seed, db) climbs out of its folder: other Workers are not imported, shared code is by #schema/#shared", () => {
    expect(sources.length).toBeGreaterThan(100);
    const crossings: string[] = [];
    for (const path of sources) {
      const text = readFileSync(resolve(root, path), "utf8");
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
        if (spec === undefined || !spec.startsWith(".")) continue;
        const target = relative(root, resolve(dirname(resolve(root, path)), spec));
        if (target.startsWith(`${workerOf(path)}/`)) continue;
        crossings.push(`${path} imports ${target}`);
      }
    }
    expect(crossings).toEqual([]);
  });
});
