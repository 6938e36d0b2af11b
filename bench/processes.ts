import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { Miniflare } from "miniflare";
import { ensureDevVars, LOCAL_VARS } from "../scripts/dev-vars.ts";
import { miniflareOptions, workerFromConfig } from "../scripts/miniflare-launch.ts";
import { demoSeederWorker, migrateAll } from "../scripts/platform.ts";
import { WORKERS } from "../scripts/workers.ts";
import { clientAddress, DRAIN_SECONDS, type LoadResult, type LoadSpec } from "./load-spec.ts";
import { addItem, checkoutRequest, inPool, newCart } from "./shopper.ts";

// `npm run bench:processes`: where the local checkout ceiling is. Checkout runs as in `npm run bench` (prepared
// guest carts, autocannon from its own process, each request once), against the platform in one workerd process
// (as `npm start` runs it) and in two, joined by Miniflare's dev registry (service bindings, Durable Objects and
// queues reach across), each with its state on disk and in memory (tmpfs: no fsync cost). One workerd process runs
// all its Workers on one thread, so the split says how much a second core gives, and the tmpfs rows how much the
// local disk's syncs cost. In one process it also runs with every new order on shard 0 (NEW_ORDER_SHARDS=1) and
// spread over all the orders shards. An experiment, printed as a table: not part of `npm run bench` or of the tests.

const { values: args } = parseArgs({
  options: {
    checkouts: { type: "string", default: "900" },
    connections: { type: "string", default: "50" },
    seconds: { type: "string", default: "20" },
  },
});
const CHECKOUTS = Number(args.checkouts);
const CONNECTIONS = Number(args.connections);
const SECONDS = Number(args.seconds);
const root = resolve(import.meta.dirname, "..");
const MEMORY = "/dev/shm";

/** The checkout's own path: storefront → orders (Checkout object) → Cart, Inventory, catalog prices, payments. */
const CHECKOUT_PATH = ["storefront", "catalog", "durable-objects", "orders", "payments"];
/** The order events' consumers and the merchant side: off the checkout's thread when split. */
const AFTER_CHECKOUT = WORKERS.map((w) => w.name).filter((name) => !CHECKOUT_PATH.includes(name));

type Split = { origin: string; first: Miniflare; dispose: () => Promise<void> };

async function startSplit(groups: string[][], stateDir: string, newOrderShards: string): Promise<Split> {
  ensureDevVars(root);
  const instances: Miniflare[] = [];
  for (const [i, group] of groups.entries()) {
    const workers = await Promise.all(
      WORKERS.filter((w) => group.includes(w.name)).map((spec) =>
        workerFromConfig(root, spec, {
          logLevel: "warn",
          vars: { ...LOCAL_VARS[spec.name], ...(spec.name === "orders" ? { NEW_ORDER_SHARDS: newOrderShards } : {}) },
        }),
      ),
    );
    // No accounts: checkout is a guest's, and identity's database may be in the other process.
    if (i === 0) workers.push(await demoSeederWorker(root, { accounts: false }));
    const options = miniflareOptions({ port: 0, stateDir: join(stateDir, `process-${i}`), workers });
    const registry = groups.length > 1 ? { unsafeDevRegistryPath: join(stateDir, "registry"), enableDevRegistry: true } : {};
    instances.push(new Miniflare({ ...options, ...registry }));
  }
  const dispose = async () => void (await Promise.all(instances.map((m) => m.dispose())));
  try {
    const [origin] = await Promise.all(instances.map((m) => m.ready));
    for (const [i, group] of groups.entries()) {
      const instance = instances[i];
      if (instance !== undefined)
        await migrateAll(
          instance,
          root,
          WORKERS.filter((w) => group.includes(w.name)),
        );
    }
    const first = instances[0];
    if (origin === undefined || first === undefined) throw new Error("no process started");
    const loaded = await (await first.getWorker("demo-seeder")).fetch("http://seeder/demo-shop", { method: "POST" });
    if (!loaded.ok) throw new Error(`loading the demo shop: ${loaded.status} ${await loaded.text()}`);
    return { origin: origin.origin, first, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function checkoutRate(split: Split, firstClient: number): Promise<LoadResult> {
  const db = await split.first.getD1Database("DB", "catalog");
  const { results } = await db
    .prepare("SELECT v.sku FROM variants v JOIN products p ON p.id = v.product_id WHERE p.flash_sale = 0 AND v.available >= 200 LIMIT 50")
    .all<{ sku: string }>();
  const skus = results.map((r) => r.sku);
  const requests = await inPool(CHECKOUTS, 16, async (i) => {
    const cart = await newCart(split.origin, clientAddress(firstClient + i));
    const sku = skus[i % skus.length] ?? "";
    const added = await addItem(split.origin, cart, sku, 1);
    if (added !== 200) throw new Error(`preparing checkout ${i}: adding ${sku} answered ${added}`);
    return checkoutRequest(cart);
  });
  const spec: LoadSpec = { origin: split.origin, connections: CONNECTIONS, seconds: SECONDS, requests, expectStatus: 201, once: true };
  const file = join(tmpdir(), `edge-processes-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(spec));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, "bench/load.ts"), file], {
      timeout: (SECONDS + DRAIN_SECONDS + 30) * 1000,
    });
    return JSON.parse(stdout) as LoadResult;
  } finally {
    rmSync(file, { force: true });
  }
}

const ONE_PROCESS = [WORKERS.map((w) => w.name)];
/** Orders on shard 0 only (NEW_ORDER_SHARDS=1) or on every bound shard (empty: the config's default). */
const layouts = [
  { name: "one process", groups: ONE_PROCESS, shards: "1" },
  { name: "one process", groups: ONE_PROCESS, shards: "" },
  { name: "two: checkout path, the rest", groups: [CHECKOUT_PATH, AFTER_CHECKOUT], shards: "" },
];
const stateRoots = [{ name: "disk", dir: tmpdir() }, ...(existsSync(MEMORY) ? [{ name: "memory (tmpfs)", dir: MEMORY }] : [])];
console.log(`| layout | order shards | state | checkouts/s @${CONNECTIONS} | p50 ms | p99 ms | errors |`);
console.log("|---|---|---|---:|---:|---:|---:|");
let client = 0;
for (const state of stateRoots) {
  for (const layout of layouts) {
    const dir = mkdtempSync(join(state.dir, "edge-processes-"));
    try {
      const split = await startSplit(layout.groups, dir, layout.shards);
      try {
        const r = await checkoutRate(split, 2_000_000 + 10_000 * client++);
        const shards = layout.shards === "" ? "all" : layout.shards;
        console.log(`| ${layout.name} | ${shards} | ${state.name} | ${r.rps.toFixed(1)} | ${r.p50} | ${r.p99} | ${r.errors} |`);
      } finally {
        await split.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
