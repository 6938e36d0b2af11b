import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { launch, workerFromConfig } from "../scripts/miniflare-launch.ts";
import { type Platform, startPlatform } from "../scripts/platform.ts";
import { clientAddress, type LoadResult, type LoadSpec, type MixResult, type MixSpec } from "./load-spec.ts";

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
const specDir = mkdtempSync(join(tmpdir(), "edge-bench-specs-"));
let specs = 0;
/** Hands a spec to a load process as a file (argv strings are capped at 128 KiB). */
function specFile(spec: unknown): string {
  const file = join(specDir, `spec-${++specs}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

type Row = { connections: number; load: number; result: LoadResult | null; failure?: string };
type Scenario = { name: string; ceiling: "worker" | "object"; rows: Row[] };

async function measure(spec: LoadSpec): Promise<{ result: LoadResult | null; failure?: string }> {
  try {
    const { stdout } = await run(process.execPath, [join(root, "bench/load.ts"), specFile(spec)], {
      timeout: (spec.seconds + 30) * 1000,
    });
    return { result: JSON.parse(stdout) as LoadResult };
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim().split("\n").at(-1);
    return { result: null, failure: stderr || (err instanceof Error ? err.message.split("\n")[0] : String(err)) };
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

const gets = (paths: string[], headers?: Record<string, string>): LoadSpec["requests"] =>
  paths.map((path) => ({ path, ...(headers ? { headers } : {}) }));

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

const MIX_STEPS = ["view product", "view cart", "add to cart", "list category", "home listing"] as const;

/** SKUs a shopper can add freely: in stock with room to spare, and not flash-sale (no holds at add). */
async function benchSkus(platform: Platform, count: number): Promise<string[]> {
  const db = await platform.miniflare.getD1Database("DB", "catalog");
  const { results } = await db
    .prepare(
      "SELECT v.sku FROM variants v JOIN products p ON p.id = v.product_id WHERE p.flash_sale = 0 AND v.available >= 200 ORDER BY v.sku LIMIT ?",
    )
    .bind(count)
    .all<{ sku: string }>();
  return results.map((r) => r.sku);
}

const CATEGORY_PATHS = ["electronics", "phones", "books", "fiction", "fashion", "camping", "home-kitchen", "puzzles"].map(
  (c) => `/v1/products?limit=20&category=${c}`,
);
const SEARCH_PATHS = ["lumina", "trail runner", "harbor", "oak", "kettlebell", "wireless earbuds"].map(
  (q) => `/v1/products?limit=20&q=${encodeURIComponent(q)}`,
);

async function withPlatform<T>(
  options: { demoSize?: number; demoImagePool?: number; demoStock?: boolean },
  body: (p: Platform) => Promise<T>,
): Promise<T> {
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
// The real Inventory object runs beside them, in its own Worker as in the platform; these scenarios never
// reach the catalog, so the objects' catalog binding answers 503.
const objects = await workerFromConfig(root, { name: "durable-objects", config: "durable-objects/wrangler.toml" });
const ceiling = launch({
  port: 0,
  stateDir: ceilingState,
  workers: [
    await workerFromConfig(root, { name: "ceiling", config: "bench/ceiling/wrangler.toml" }),
    { ...objects, serviceBindings: { CATALOG: () => new Response("no catalog in the ceiling run", { status: 503 }) } },
  ],
});
const ceilingOrigin = (await ceiling.ready).origin;
const scenarios: Scenario[] = [];
scenarios.push(
  await scenario("ceiling: bare Hono Worker, GET / (text)", "worker", { origin: ceilingOrigin, requests: gets(["/"]), expectStatus: 200 }),
);
scenarios.push(
  await scenario("ceiling: bare Durable Object counter increment", "object", {
    origin: ceilingOrigin,
    requests: [{ path: "/counter/hot", method: "POST" }],
    expectStatus: 200,
  }),
);
await (await fetch(new URL("/inventory/BENCH-HOT-1/restock", ceilingOrigin), { method: "POST" })).arrayBuffer();
scenarios.push(
  await scenario("inventory hold: one unit of one hot SKU, fresh hold id each", "object", {
    origin: ceilingOrigin,
    requests: [{ path: "/inventory/BENCH-HOT-1/hold", method: "POST" }],
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
    await scenario("product list: 20 per page, category filter", "worker", { origin, requests: gets(CATEGORY_PATHS), expectStatus: 200 }),
  );
  scenarios.push(
    await scenario("product detail (with live stock per variant)", "worker", { origin, requests: gets(productPaths), expectStatus: 200 }),
  );
  scenarios.push(
    await scenario("image fetch, 200 (bytes from cache)", "worker", { origin, requests: gets(images.slice(0, 200)), expectStatus: 200 }),
  );
  // A browser revalidating an image it holds: one URL, its ETag in If-None-Match.
  scenarios.push(
    await scenario("image fetch, 304 (If-None-Match)", "worker", {
      origin,
      requests: gets([hotImage], { "if-none-match": hot.headers.get("etag") ?? "" }),
      expectStatus: 304,
    }),
  );
  scenarios.push(await scenario("category tree", "worker", { origin, requests: gets(["/v1/categories"]), expectStatus: 200 }));

  // Cart add: 101 carts × 50 SKUs, so each (cart, SKU) line comes round rarely and stays under the cap.
  const skus = await benchSkus(platform, 50);
  // Each cart and each add comes from an address of its own: 5,050 shoppers, none near a per-client limit.
  const carts = await Promise.all(
    Array.from(
      { length: 101 },
      async (_, i) =>
        (await (
          await fetch(new URL("/v1/carts", origin), { method: "POST", headers: { "cf-connecting-ip": clientAddress(i) } })
        ).json()) as {
          id: string;
          token: string;
        },
    ),
  );
  const adds = Array.from({ length: 101 * 50 }, (_, i) => {
    const cart = carts[i % carts.length] ?? { id: "", token: "" };
    return {
      path: `/v1/carts/${cart.id}/items`,
      method: "POST" as const,
      headers: { "content-type": "application/json", "x-cart-token": cart.token, "cf-connecting-ip": clientAddress(i) },
      body: JSON.stringify({ sku: skus[i % skus.length], quantity: 1 }),
    };
  });
  scenarios.push(
    await scenario("cart add: storefront → Cart object → catalog price + Inventory check", "object", {
      origin,
      requests: adds,
      expectStatus: 200,
    }),
  );

  mix = [];
  for (const shoppers of CONNECTIONS) {
    const load = loadavg()[0] ?? 0;
    const spec: MixSpec = { origin, shoppers, seconds: SECONDS, productPaths, categoryPaths: CATEGORY_PATHS, skus };
    try {
      const { stdout } = await run(process.execPath, [join(root, "bench/mix.ts"), specFile(spec)], {
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
  // Reads only: no opening stock in Inventory objects (the product page then shows 0 live stock).
  await withPlatform({ demoSize: size, demoImagePool: 500, demoStock: false }, async (platform) => {
    const seedSeconds = (Date.now() - started) / 1000;
    console.log(`growth: ${size} products loaded in ${seedSeconds.toFixed(1)} s`);
    const origin = platform.url.origin;
    const { slugs } = await catalogPaths(origin, "sort=price_asc", 500);
    growth.push({
      size,
      seedSeconds,
      scenarios: [
        await scenario(`list @${size}`, "worker", { origin, requests: gets(CATEGORY_PATHS), expectStatus: 200 }),
        await scenario(`detail @${size}`, "worker", { origin, requests: gets(slugs.map((s) => `/v1/products/${s}`)), expectStatus: 200 }),
        await scenario(`search @${size}`, "worker", { origin, requests: gets(SEARCH_PATHS), expectStatus: 200 }),
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
  `| shoppers | sessions/s | requests | errors | ${MIX_STEPS.map((s) => `${s} p99 ms`).join(" | ")} | load avg before |`,
  `|---:|---:|---:|---:|${MIX_STEPS.map(() => "---:|").join("")}---:|`,
  ...mix.map((m) =>
    m.result === null
      ? `| ${m.shoppers} | FAILED: ${m.failure ?? "unknown"} | | |${MIX_STEPS.map(() => " |").join("")} ${fmt(m.load, 2)} |`
      : `| ${m.shoppers} | ${fmt(m.result.sessionsPerSecond, 1)} | ${m.result.requests} | ${m.result.errors}${m.result.errors > 0 ? " ⚠" : ""} | ${MIX_STEPS.map((s) => fmt(m.result?.steps[s]?.p99 ?? 0, 1)).join(" | ")} | ${fmt(m.load, 2)} |`,
  ),
  "",
  "Not yet available (weights kept for when they land): change currency (shares its weight of 2 with list category), checkout 1.",
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
rmSync(specDir, { recursive: true, force: true });
console.log(`wrote ${args.out}`);
