import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Platform, PlatformOptions } from "./platform.ts";
import { makeState } from "./upgrade-fixture/make-state.ts";
import { FIXTURE_VARS, MAKING_VARS, type UpgradeManifest } from "./upgrade-fixture/manifest.ts";

// `npm run fixture:upgrade -- <commit>`: the state a release leaves behind, made by that release's own code, for
// test/system/upgrade.test.ts. The release's tree is taken from git into a temp folder, runs its own platform
// (scripts/platform.ts) with this checkout's node_modules on a fresh state folder, gets a small demo shop and the
// data of make-state.ts through its API, stops; the folder is packed to test/fixtures/upgrade/<commit>.tar.gz
// beside <commit>.json, the manifest of what was made.
const root = resolve(import.meta.dirname, "..");
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { "demo-size": { type: "string", default: "30" } },
});
const ref = positionals[0];
if (ref === undefined) {
  console.error("usage: npm run fixture:upgrade -- <commit of the release to upgrade from> [--demo-size 30]");
  process.exit(2);
}
const git = (...args: string[]): string => execFileSync("git", ["-C", root, ...args], { encoding: "utf8" }).trim();
const commit = git("rev-parse", "--verify", `${ref}^{commit}`);
const demoSize = Number(values["demo-size"]);
const say = (line: string): void => console.log(line);

const work = mkdtempSync(join(tmpdir(), "upgrade-fixture-"));
const release = join(work, "release");
const stateDir = join(work, "state");
mkdirSync(release);

/** The release's local secrets, by Worker (its .dev.vars files, made by its first start). */
function releaseSecrets(): Record<string, Record<string, string>> {
  const secrets: Record<string, Record<string, string>> = {};
  for (const dir of ["durable-objects", ...readdirSync(join(release, "workers")).map((d) => `workers/${d}`)]) {
    const file = join(release, dir, ".dev.vars");
    if (!existsSync(file)) continue;
    const vars: Record<string, string> = {};
    for (const [, name, value] of readFileSync(file, "utf8").matchAll(/^([A-Z0-9_]+)='?(.*?)'?$/gm))
      if (name && value !== undefined) vars[name] = value;
    secrets[dir.replace(/^workers\//, "")] = vars;
  }
  return secrets;
}

try {
  // The tree as committed; `git archive` registers nothing in the repository (a worktree would).
  execFileSync("git", ["-C", root, "archive", "--format=tar", "-o", join(work, "release.tar"), commit]);
  execFileSync("tar", ["-xf", join(work, "release.tar"), "-C", release]);
  const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
  const deps = (pkg: Record<string, unknown>) => JSON.stringify([pkg.dependencies, pkg.devDependencies]);
  if (deps(manifestOf(release)) !== deps(manifestOf(root))) {
    say(`warning: ${commit.slice(0, 7)} declares other dependencies than this checkout; it runs with this checkout's node_modules`);
  }
  symlinkSync(join(root, "node_modules"), join(release, "node_modules"), "dir");

  say(`starting ${commit.slice(0, 7)}'s platform on a fresh state (demo size ${demoSize})`);
  const { startPlatform } = (await import(pathToFileURL(join(release, "scripts/platform.ts")).href)) as {
    startPlatform: (options: PlatformOptions) => Promise<Platform>;
  };
  const platform = await startPlatform({
    root: release,
    stateDir,
    port: 0,
    adminPort: 0,
    demoSize,
    logLevel: "warn",
    vars: MAKING_VARS,
    // The release's own test entry, whose Checkout object dies where the buyer's email says (the interrupted checkout).
    entries: { orders: "workers/orders/test/orders-with-faults.ts" },
    say,
  });
  let made: Awaited<ReturnType<typeof makeState>>;
  try {
    made = await makeState(platform, release, say);
  } finally {
    await platform.dispose();
  }

  const name = commit.slice(0, 7);
  const out = join(root, "test/fixtures/upgrade");
  mkdirSync(out, { recursive: true });
  const archive = join(out, `${name}.tar.gz`);
  execFileSync("tar", ["-czf", archive, "-C", stateDir, "."]);
  const manifest: UpgradeManifest = {
    release: commit,
    madeAt: new Date().toISOString(),
    demoSize,
    vars: FIXTURE_VARS,
    secrets: releaseSecrets(),
    ...made,
  };
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  say(`wrote test/fixtures/upgrade/${name}.tar.gz (${(statSync(archive).size / 1024).toFixed(0)} KiB) and ${name}.json`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
