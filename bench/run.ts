import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { launch, workerFromConfig } from "../scripts/miniflare-launch.ts";
import { type Platform, startPlatform } from "../scripts/platform.ts";
import type { LoadResult, LoadSpec, MixResult, MixSpec } from "./load-spec.ts";

// `npm run bench`: boots the platform on fresh state, measures each scenario with autocannon from a
// separate process, and writes bench/RESULTS.md. Every number in that file comes from this run.
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string", default: "bench/RESULTS.md" },
  },
});
const root = resolve(import.meta.dirname, "..");
const SECONDS = args.quick ? 2 : 10;
const CONNECTIONS = [10, 50] as const;
const GROWTH_SIZES = args.quick ? [1_000, 10_000] : [1_000, 100_000];
const LOG_LEVEL = "info"; // production's level: per-request access lines are debug, so off
const run = promisify(execFile);

type Row = { connections: number; load: number; result: LoadResult | null; failure?: string };
type Scenario = { name: string; ceiling: "worker" | "object"; rows: Row[] };

async function measure(spec: LoadSpec): Promise<{ result: LoadResult | null; failure?: string }> {
  try {
    const { stdout } = await run(process.execPath, [join(root, "bench/load.ts"), JSON.stringify(spec)], {
      timeout: (spec.seconds + 30) * 1000,
    });
    return { result: JSON.parse(stdout) as LoadResult };
  } catch (err) {
    return { result: null, failure: err instanceof Error ? err.message.split("\n")[0] : String(err) };
  }
}

async function scenario(name: string, ceiling: Scenario["ceiling"], spec: Omit<LoadSpec, "connections" | "seconds">): Promise<Scenario> {
  const rows: Row[] = [];
  for (const connections of CONNECTIONS) {
    const load = loadavg()[0] ?? 0;
    rows.push({ connections, load, ...(await measure({ ...spec, connections, seconds: SECONDS })) });
    console.log(`  ${name} @${connections}: ${rows.at(-1)?.result?.rps.toFixed(0) ?? "FAILED"} req/s`);
  }
  return { name, ceiling, rows };
}

async function catalogPaths(origin: string, query: string, max: number): Promise<{ slugs: string[]; images: string[] }> {
  const slugs: string[] = [];
  const images: string[] = [];
  let cursor: string | null = null;
  do {
    const url = new URL(`/v1/products?limit=100&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, origin);
    const page = (await (await fetch(url)).json()) as {
      items: { slug: string; image: { url: string } | null }[];
      nextCursor: string | null;
    };
    for (const item of page.items) {
      slugs.push(item.slug);
      if (item.image) images.push(item.image.url);
    }
    cursor = page.nextCursor;
  } while (cursor !== null && slugs.length < max);
  return { slugs: slugs.slice(0, max), images: [...new Set(images)].slice(0, max) };
}

const CATEGORY_PATHS = ["electronics", "phones", "books", "fiction", "fashion", "camping", "home-kitchen", "puzzles"].map(
  (c) => `/v1/products?limit=20&category=${c}`,
);
const SEARCH_PATHS = ["lumina", "trail runner", "harbor", "oak", "kettlebell", "wireless earbuds"].map(
  (q) => `/v1/products?limit=20&q=${encodeURIComponent(q)}`,
);

async function withPlatform<T>(options: { demoSize?: number; demoImagePool?: number }, body: (p: Platform) => Promise<T>): Promise<T> {
  const state = mkdtempSync(join(tmpdir(), "edge-bench-"));
  const platform = await startPlatform({ root, stateDir: state, port: 0, logLevel: LOG_LEVEL, ...options });
  try {
    return await body(platform);
  } finally {
    await platform.dispose();
    rmSync(state, { recursive: true, force: true });
  }
}

const version = (pkg: string): string =>
  (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

// ---- the ceiling: a bare Hono Worker and a bare Durable Object counter, started the same way ----
console.log(`bench: ${args.quick ? "quick, " : ""}${SECONDS} s per run, connections ${CONNECTIONS.join(" and ")}`);
const ceilingState = mkdtempSync(join(tmpdir(), "edge-bench-ceiling-"));
const ceiling = launch({
  port: 0,
  stateDir: ceilingState,
  workers: [await workerFromConfig(root, { name: "ceiling", config: "bench/ceiling/wrangler.toml" })],
});
const ceilingOrigin = (await ceiling.ready).origin;
const scenarios: Scenario[] = [];
scenarios.push(
  await scenario("ceiling: bare Hono Worker, GET / (text)", "worker", { origin: ceilingOrigin, paths: ["/"], expectStatus: 200 }),
);
scenarios.push(
  await scenario("ceiling: bare Durable Object counter increment", "object", {
    origin: ceilingOrigin,
    method: "POST",
    paths: ["/counter/hot"],
    expectStatus: 200,
  }),
);
await ceiling.dispose();
rmSync(ceilingState, { recursive: true, force: true });

// ---- the shopper read path on the demo shop ----
let mix: { shoppers: number; load: number; result: MixResult | null; failure?: string }[] = [];
await withPlatform({}, async (platform) => {
  const origin = platform.url.origin;
  const { slugs, images } = await catalogPaths(origin, "", 500);
  const productPaths = slugs.map((s) => `/v1/products/${s}`);
  const hotImage = images[0] ?? "/";
  const hot = await fetch(new URL(hotImage, origin));
  await hot.arrayBuffer();
  scenarios.push(
    await scenario("product list: 20 per page, category filter", "worker", { origin, paths: CATEGORY_PATHS, expectStatus: 200 }),
  );
  scenarios.push(await scenario("product detail", "worker", { origin, paths: productPaths, expectStatus: 200 }));
  scenarios.push(
    await scenario("image fetch, 200 (bytes from cache)", "worker", { origin, paths: images.slice(0, 200), expectStatus: 200 }),
  );
  // A browser revalidating an image it holds: one URL, its ETag in If-None-Match.
  scenarios.push(
    await scenario("image fetch, 304 (If-None-Match)", "worker", {
      origin,
      paths: [hotImage],
      headers: { "if-none-match": hot.headers.get("etag") ?? "" },
      expectStatus: 304,
    }),
  );
  scenarios.push(await scenario("category tree", "worker", { origin, paths: ["/v1/categories"], expectStatus: 200 }));

  mix = [];
  for (const shoppers of CONNECTIONS) {
    const load = loadavg()[0] ?? 0;
    const spec: MixSpec = { origin, shoppers, seconds: SECONDS, productPaths, categoryPaths: CATEGORY_PATHS };
    try {
      const { stdout } = await run(process.execPath, [join(root, "bench/mix.ts"), JSON.stringify(spec)], {
        timeout: (SECONDS + 30) * 1000,
      });
      mix.push({ shoppers, load, result: JSON.parse(stdout) as MixResult });
    } catch (err) {
      mix.push({ shoppers, load, result: null, failure: err instanceof Error ? err.message.split("\n")[0] : String(err) });
    }
    console.log(`  shopper mix @${shoppers}: ${mix.at(-1)?.result?.sessionsPerSecond.toFixed(1) ?? "FAILED"} sessions/s`);
  }
});

// ---- catalog growth: the same read scenarios on a small and a large catalog ----
type Growth = { size: number; seedSeconds: number; scenarios: Scenario[] };
const growth: Growth[] = [];
for (const size of GROWTH_SIZES) {
  const started = Date.now();
  await withPlatform({ demoSize: size, demoImagePool: 500 }, async (platform) => {
    const seedSeconds = (Date.now() - started) / 1000;
    console.log(`growth: ${size} products loaded in ${seedSeconds.toFixed(1)} s`);
    const origin = platform.url.origin;
    const { slugs } = await catalogPaths(origin, "sort=price_asc", 500);
    growth.push({
      size,
      seedSeconds,
      scenarios: [
        await scenario(`list @${size}`, "worker", { origin, paths: CATEGORY_PATHS, expectStatus: 200 }),
        await scenario(`detail @${size}`, "worker", { origin, paths: slugs.map((s) => `/v1/products/${s}`), expectStatus: 200 }),
        await scenario(`search @${size}`, "worker", { origin, paths: SEARCH_PATHS, expectStatus: 200 }),
      ],
    });
  });
}

// ---- the report ----
const ceilingOf = (kind: Scenario["ceiling"], connections: number): number =>
  scenarios[kind === "worker" ? 0 : 1]?.rows.find((r) => r.connections === connections)?.result?.rps ?? 0;
const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(s: Scenario): string {
  const lines = [
    `### ${s.name}`,
    "",
    `| connections | req/s | × ${s.ceiling === "worker" ? "bare Worker" : "bare DO counter"} | p50 ms | p99 ms | errors | load avg before |`,
    "|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of s.rows) {
    if (r.result === null) {
      lines.push(`| ${r.connections} | FAILED: ${r.failure ?? "unknown"} | | | | | ${fmt(r.load, 2)} |`);
      continue;
    }
    const base = ceilingOf(s.ceiling, r.connections);
    lines.push(
      `| ${r.connections} | ${fmt(r.result.rps)} | ${base > 0 ? fmt(r.result.rps / base, 2) : "n/a"} | ${fmt(r.result.p50, 1)} | ${fmt(r.result.p99, 1)} | ${r.result.errors}${r.result.errors > 0 ? " ⚠" : ""} | ${fmt(r.load, 2)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

const out: string[] = [
  "# Benchmark results",
  "",
  `Written by \`npm run bench${args.quick ? " -- --quick" : ""}\` on ${new Date().toISOString()}. Do not edit by hand: run it again.`,
  "",
  `- machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30)} GiB; Node ${process.versions.node}`,
  `- runtime: workerd ${version("workerd")}, miniflare ${version("miniflare")}, wrangler ${version("wrangler")}; started through the Miniflare API as \`npm start\` does`,
  `- load: autocannon ${version("autocannon")} in a separate process, ${SECONDS} s per run; Workers log at \`${LOG_LEVEL}\``,
  "- ratios divide a scenario's req/s by the ceiling's at the same connection count, measured in this same run",
  "",
  "## Ceiling and shopper read path",
  "",
  ...scenarios.map(table),
  "## Shopper traffic mix (Online Boutique weights)",
  "",
  "Each virtual shopper runs sessions of 10 weighted steps. Steps whose features have not landed yet are listed as such.",
  "",
  "| shoppers | sessions/s | requests | errors | view product p99 ms | list category p99 ms | home listing p99 ms | load avg before |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...mix.map((m) =>
    m.result === null
      ? `| ${m.shoppers} | FAILED: ${m.failure ?? "unknown"} | | | | | | ${fmt(m.load, 2)} |`
      : `| ${m.shoppers} | ${fmt(m.result.sessionsPerSecond, 1)} | ${m.result.requests} | ${m.result.errors}${m.result.errors > 0 ? " ⚠" : ""} | ${fmt(m.result.steps["view product"]?.p99 ?? 0, 1)} | ${fmt(m.result.steps["list category"]?.p99 ?? 0, 1)} | ${fmt(m.result.steps["home listing"]?.p99 ?? 0, 1)} | ${fmt(m.load, 2)} |`,
  ),
  "",
  "Not yet available (weights kept for when they land): view cart 3, add to cart 2, change currency 2 (of the 2 shared with list category), checkout 1.",
  "",
  "## Catalog growth",
  "",
  `The same scenarios on ${GROWTH_SIZES.map((s) => fmt(s)).join(" and ")} products (images drawn once per 500 products and reused). Goal: ${fmt((GROWTH_SIZES[1] ?? 0) / (GROWTH_SIZES[0] ?? 1))}× the products for less than 2× the p99.`,
  "",
  ...growth.map((g) => `- ${fmt(g.size)} products loaded in ${fmt(g.seedSeconds, 1)} s`),
  "",
  `| scenario | connections | req/s @${fmt(GROWTH_SIZES[0] ?? 0)} | req/s @${fmt(GROWTH_SIZES[1] ?? 0)} | p99 ms @${fmt(GROWTH_SIZES[0] ?? 0)} | p99 ms @${fmt(GROWTH_SIZES[1] ?? 0)} | p99 ratio | errors |`,
  "|---|---:|---:|---:|---:|---:|---:|---:|",
];
const [small, large] = growth;
for (const [i, name] of ["list (category filter)", "detail", "search (q)"].entries()) {
  for (const connections of CONNECTIONS) {
    const a = small?.scenarios[i]?.rows.find((r) => r.connections === connections)?.result;
    const b = large?.scenarios[i]?.rows.find((r) => r.connections === connections)?.result;
    if (!a || !b) {
      out.push(`| ${name} | ${connections} | FAILED | | | | | |`);
      continue;
    }
    const ratio = a.p99 > 0 ? b.p99 / a.p99 : Number.NaN;
    out.push(
      `| ${name} | ${connections} | ${fmt(a.rps)} | ${fmt(b.rps)} | ${fmt(a.p99, 1)} | ${fmt(b.p99, 1)} | ${fmt(ratio, 2)}${ratio >= 2 ? " ⚠ over goal" : ""} | ${a.errors + b.errors} |`,
    );
  }
}
out.push("");
writeFileSync(resolve(root, args.out), out.join("\n"));
console.log(`wrote ${args.out}`);
