import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";

// The harness, not the numbers: `--quick` must finish, write every table, and see no errors under load.
const dir = mkdtempSync(join(tmpdir(), "edge-bench-smoke-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("`npm run bench -- --quick` completes and writes every table with zero errors", async () => {
  const out = join(dir, "RESULTS.md");
  await promisify(execFile)(process.execPath, ["bench/run.ts", "--quick", "--out", out], { timeout: 520_000 });
  const report = readFileSync(out, "utf8");
  for (const heading of [
    "ceiling: bare Hono Worker",
    "ceiling: bare Durable Object counter increment",
    "inventory hold",
    "cart add",
    "checkout: a one-line guest cart",
    "product list: 20 per page, category filter",
    "product detail",
    "image fetch, 200",
    "image fetch, 304",
    "category tree",
    "storefront empty route",
    "Shopper traffic mix",
    "Flash sale",
    "Writes per checkout",
    "Catalog growth",
  ]) {
    expect(report).toContain(heading);
  }
  expect(report).not.toContain("FAILED");
  expect(report).not.toContain("⚠ |"); // an errors cell is flagged with ⚠ when it is not 0
  const lines = report.split("\n");
  // 15 scenarios × 2 connection counts (the shop's home, category and two product page rows among them); the mix at
  // 2 shopper counts; 4 growth scenarios × 2 connection counts.
  // (The ratio column always has decimals; the mix rows' third column is a request count, so they are not counted here.)
  expect(lines.filter((l) => /^\| (10|50) \| [\d,.]+ \| \d+\.\d+ \|/.test(l))).toHaveLength(30);
  expect(lines.filter((l) => /^\| (10|50) \| [\d.]+ \| \d+ \| 0 \|/.test(l))).toHaveLength(2);
  expect(lines.filter((l) => /^\| (list|detail|search)[^|]*\| (10|50) \| [\d,]+ \| [\d,]+ \|/.test(l))).toHaveLength(8);
  // The flash sale (a small one in --quick): as many orders as units on sale, none oversold, stock never below 0.
  expect(report).toMatch(/^\| orders created \(paid; must be (\d+)\) \| \1 \|$/m);
  expect(report).toMatch(/^\| oversold units \(must be 0\) \| 0 \|$/m);
  expect(report).toMatch(/^\| lowest on hand in the object's history \(must be ≥ 0\) \| \d+ \|$/m);
  // Writes per checkout: with strace here, a number for each storage the checkout writes, not n/a.
  if (existsSync("/usr/bin/strace")) {
    const writes = report.split("## Writes per checkout")[1]?.split("\n## ")[0] ?? "";
    expect(writes).not.toContain("n/a");
    const syncs = (storage: string): number =>
      Number(new RegExp(`^\\| ${storage} \\| ([\\d,]+\\.\\d\\d) \\|$`, "m").exec(writes)?.[1]?.replaceAll(",", "") ?? Number.NaN);
    for (const storage of ["Cart objects", "Inventory objects"]) expect(syncs(storage)).toBeGreaterThanOrEqual(0);
    // A checkout always writes its order, its payment and its Checkout object.
    for (const storage of ["orders D1", "payments D1", "Checkout objects", "total"]) expect(syncs(storage)).toBeGreaterThan(0);
  }
}, 540_000);
