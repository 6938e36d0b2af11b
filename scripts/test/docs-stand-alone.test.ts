import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The repository must stand alone: a clone without anything beside it has every document it refers to. The team's
// first design notes lived in a folder next to the checkout; nothing may point there, nor at any path that
// climbs out of the repository, and every relative link in the docs must land on a file that exists.

const root = resolve(import.meta.dirname, "../..");
const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((path) => path !== "" && existsSync(resolve(root, path)));
const textFiles = tracked.filter((path) => /\.(md|ts|tsx|toml|json|jsonc|sh)$/.test(path) || path === ".ci/run");
const markdown = tracked.filter((path) => path.endsWith(".md"));

describe("the repository stands alone", () => {
  it("no path in any tracked file climbs out of the repository, and none names the old design notes", () => {
    const offenders: string[] = [];
    // Hostile inputs are paths that climb out on purpose.
    const exempt = new Set(["scripts/test/docs-stand-alone.test.ts", "test/system/hostile.ts"]);
    for (const path of textFiles.filter((p) => !exempt.has(p))) {
      readFileSync(resolve(root, path), "utf8")
        .split("\n")
        .forEach((text, index) => {
          const where = `${path}:${index + 1}: ${text.trim()}`;
          if (/\bDESIGN\.md\b|(?<![\w/.-])API\.md\b/.test(text)) offenders.push(where);
          for (const [relative] of text.matchAll(/(?:\.\.\/)+[\w.@*-]+/g)) {
            const target = resolve(dirname(resolve(root, path)), relative);
            if (target !== root && !target.startsWith(`${root}/`)) offenders.push(where);
          }
        });
    }
    expect(offenders).toEqual([]);
  });

  it("every relative link in README.md and docs/ resolves to a file in the repository", () => {
    const broken: string[] = [];
    for (const path of markdown.filter((p) => p === "README.md" || p.startsWith("docs/"))) {
      const text = readFileSync(resolve(root, path), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (target === undefined || /^[a-z]+:/.test(target) || target.startsWith("#")) continue;
        const file = resolve(dirname(resolve(root, path)), target.split("#")[0] ?? "");
        if (!file.startsWith(`${root}/`) || !existsSync(file)) broken.push(`${path}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("README keeps to what a newcomer needs first; the long reference lives in docs/", () => {
    const readme = readFileSync(resolve(root, "README.md"), "utf8");
    for (const heading of ["## The picture", "## Run it", "## Test", "## Deploy", "## Operate", "## Where to change what"]) {
      expect(readme).toContain(heading);
    }
    for (const doc of ["architecture", "api", "guarantees", "operations", "development", "decisions", "benchmarks"]) {
      expect(readme).toContain(`(docs/${doc}.md)`);
    }
  });
});
