import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpSnapshot } from "#shared/backup/d1-dump.ts";
import { takeSnapshot } from "#shared/backup/d1-snapshot.ts";
import { backupKeys, D1Manifest, R2Manifest } from "#shared/backup/manifest.ts";
import { platformBackup } from "../../scripts/backup-run.ts";
import { backupTargets } from "../../scripts/backup-targets.ts";
import { openRestoreWorker } from "../../scripts/restore-run.ts";
import { owner, tokenOf } from "./after-sale-client.ts";
import { call } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";
import { deliveredBuyers, plentiful, startLoad, type Written } from "./shop-load.ts";

// The restore drill: a platform busy with checkouts, sign-ups, reviews, returns, image uploads and API keys is
// backed up while the traffic runs (each Worker's own `scheduled` handler, as the daily cron does), and then
// restored twice with `npm run restore` itself: once over the live databases with --wipe, once after a total
// loss (every D1 database deleted, both buckets emptied). Each time every table and every object must come back
// exactly as the backup's manifests say (row counts and checksums, SHA-256 of every object), read back by this
// test, consistent (no order without its parts and lines, no rating without its reviews, no image row without
// its image), and everything acknowledged before the backup began must be there. Every shard of the orders
// database (orders, orders-1…) and of the payments ledger (payments, payments-1…) is a database of its own here:
// backed up, wiped and restored like the others, each held against its own manifest. Then the platform starts on the restored state and serves what it held.
const root = process.cwd();
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>> | undefined;

type Manifests = { databases: Map<string, D1Manifest>; buckets: Map<string, R2Manifest> };
let takenAt: string;
let manifests: Manifests;
let writtenBefore: Written[];
let writtenAfter: Written[];
let sample: { orderId: string; buyerToken: string; imageKey: string; searchWord: string };
let shardMarks: string[];

const run = promisify(execFile);

/** `npm run restore -- …` on the drill's state folder, as an operator would type it. */
async function restoreCommand(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["scripts/restore.ts", "--state", state.dir, ...args], {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

/** A row put straight into each orders shard but the first, so every shard has something of its own to lose. */
const SHARD_MARK = "restore-drill-shard-mark";

/** Everything the databases and buckets hold now, read by this test: checksums per table, SHA-256 per object. */
async function readBack() {
  const restorer = await openRestoreWorker(root, state.dir);
  try {
    const db = (name: string) => restorer.miniflare.getD1Database(`D1_${name}`, "restore");
    // An order lives in one shard, whole: the checks below hold in each, and count over all of them.
    const orderShards = restorer.targets.databases.filter((d) => d.worker === "orders").map((d) => d.name);
    const databases = new Map<string, Awaited<ReturnType<typeof dumpSnapshot>>>();
    for (const target of restorer.targets.databases)
      databases.set(target.name, await dumpSnapshot(await takeSnapshot(await db(target.name))));
    const objects = new Map<string, Map<string, string>>();
    for (const target of restorer.targets.buckets) {
      const bucket = await restorer.miniflare.getR2Bucket(`R2_${target.name}`, "restore");
      const found = new Map<string, string>();
      let cursor: string | undefined;
      do {
        const page = await bucket.list(cursor === undefined ? {} : { cursor });
        for (const o of page.objects) {
          const body = await bucket.get(o.key);
          const bytes = new Uint8Array((await body?.arrayBuffer()) ?? new ArrayBuffer(0));
          found.set(o.key, createHash("sha256").update(bytes).digest("hex"));
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor !== undefined);
      objects.set(target.name, found);
    }
    const count = async (database: string, sql: string) => (await (await db(database)).prepare(sql).first<{ n: number }>())?.n ?? -1;
    const ids = async (database: string, sql: string) =>
      new Set(((await (await db(database)).prepare(sql).all<{ id: string }>()).results ?? []).map((r) => r.id));
    const inOrders = async (sql: string) => (await Promise.all(orderShards.map((name) => count(name, sql)))).reduce((a, b) => a + b, 0);
    const orderIds = async (sql: string) =>
      new Set((await Promise.all(orderShards.map((name) => ids(name, sql)))).flatMap((set) => [...set]));
    const broken = {
      ordersWithoutParts: await inOrders(
        "SELECT COUNT(*) AS n FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_parts p WHERE p.order_id = o.id) OR NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)",
      ),
      partsWithoutOrder: await inOrders(
        "SELECT COUNT(*) AS n FROM order_parts p WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = p.order_id)",
      ),
      linesWithoutOrder: await inOrders(
        "SELECT COUNT(*) AS n FROM order_lines l WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = l.order_id)",
      ),
      totalsOff: await inOrders(
        "SELECT COUNT(*) AS n FROM orders o WHERE o.total <> (SELECT SUM(p.total) FROM order_parts p WHERE p.order_id = o.id)",
      ),
      ratingsOff: await count(
        "catalog",
        `SELECT COUNT(*) AS n FROM products p WHERE p.rating_count <> (SELECT COUNT(*) FROM reviews r WHERE r.product_id = p.id AND r.status = 'published')
           OR p.rating_sum <> (SELECT COALESCE(SUM(r.rating), 0) FROM reviews r WHERE r.product_id = p.id AND r.status = 'published')`,
      ),
      returnsWithoutLines: await count(
        "fulfillment",
        "SELECT COUNT(*) AS n FROM returns r WHERE NOT EXISTS (SELECT 1 FROM return_lines l WHERE l.return_id = r.id)",
      ),
      invoiceCountersOff: await count(
        "fulfillment",
        "SELECT COUNT(*) AS n FROM invoice_counters c WHERE c.last_number <> (SELECT COUNT(*) FROM invoices i WHERE i.merchant_id = c.merchant_id)",
      ),
    };
    const kept = {
      order: await orderIds("SELECT id FROM orders"),
      shardMark: await orderIds(`SELECT event_id AS id FROM processed_events WHERE event_id LIKE '${SHARD_MARK}%'`),
      user: await ids("identity", "SELECT id FROM users"),
      review: await ids("catalog", "SELECT id FROM reviews"),
      return: await ids("fulfillment", "SELECT id FROM returns"),
      image: await ids("catalog", "SELECT r2_key AS id FROM product_images"),
      "api-key": await ids("operations", "SELECT id FROM api_keys"),
    };
    return { databases, objects, broken, kept };
  } finally {
    await restorer.dispose();
  }
}

type ReadBack = Awaited<ReturnType<typeof readBack>>;

/** Every table and object as the backup's manifests say, consistent, with everything written before the backup. */
function expectTheBackup(now: ReadBack): void {
  for (const [name, manifest] of manifests.databases) {
    const got = now.databases.get(name);
    expect(got?.tables, `D1 ${name}`).toEqual(manifest.tables);
    expect(got?.schemaSha256, `D1 ${name} schema`).toBe(manifest.schemaSha256);
  }
  for (const [name, manifest] of manifests.buckets) {
    expect(now.objects.get(name), `R2 ${name}`).toEqual(new Map(manifest.objects.map((o) => [o.key, o.sha256])));
  }
  expect(now.broken).toEqual({
    ordersWithoutParts: 0,
    partsWithoutOrder: 0,
    linesWithoutOrder: 0,
    totalsOff: 0,
    ratingsOff: 0,
    returnsWithoutLines: 0,
    invoiceCountersOff: 0,
  });
  const imageKeys = [...now.kept.image];
  for (const w of writtenBefore) {
    const found = w.kind === "image" ? imageKeys.some((key) => key.endsWith(w.id)) : now.kept[w.kind].has(w.id);
    expect(found, `${w.kind} ${w.id}, acknowledged before the backup`).toBe(true);
  }
  expect([...now.kept.shardMark].sort(), "each shard's own row").toEqual(shardMarks);
  // Every image row has its image in the restored bucket: what a restore needs, it has.
  for (const key of imageKeys) expect(now.objects.get("assets")?.has(key), key).toBe(true);
}

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 48 });
}, 120_000);
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

describe("the restore drill", () => {
  it("backs every database and bucket up while the shop is busy, consistently, with manifests of rows, checksums and objects", async () => {
    const live = platform as NonNullable<typeof platform>;
    const [northwind, trailhead] = await Promise.all([plentiful(live, "mer_northwind", 6), plentiful(live, "mer_trailhead", 6)]);
    const buyers = await deliveredBuyers(live, 3, northwind.slice(0, 3));
    const merchantToken = await tokenOf(live, owner("northwind"));
    const takeBackup = await platformBackup(live.miniflare, root);
    // Orders may not reach every shard in a short drill: each shard but the first gets a row of its own.
    shardMarks = [];
    for (const shard of backupTargets(root)
      .databases.filter((d) => d.worker === "orders")
      .slice(1)) {
      const mark = `${SHARD_MARK}-${shard.name}`;
      await (await live.miniflare.getD1Database(shard.binding, "orders"))
        .prepare("INSERT INTO processed_events (event_id, type, processed_at) VALUES (?, 'drill.mark', ?)")
        .bind(mark, Date.now())
        .run();
      shardMarks.push(mark);
    }
    expect(shardMarks).toHaveLength(3);

    const load = startLoad(live, { buyers, northwind, trailhead, merchantToken });
    await new Promise((r) => setTimeout(r, 2_000));
    const at = new Date();
    const backup = await takeBackup(at);
    await new Promise((r) => setTimeout(r, 1_000));
    const written = await load.stop();
    takenAt = backup.takenAt;
    writtenBefore = written.filter((w) => w.at < at.getTime());
    writtenAfter = written.filter((w) => w.at > Date.now() - 1_000);
    const kinds = new Set(writtenBefore.map((w) => w.kind));
    expect([...kinds].sort(), "traffic of every kind before the backup").toEqual(["api-key", "image", "order", "return", "review", "user"]);
    expect(writtenAfter.length, "traffic still running after the backup").toBeGreaterThan(0);

    const backups = await live.miniflare.getR2Bucket("BACKUPS", "catalog");
    const read = async <T>(key: string, schema: { parse: (v: unknown) => T }) => schema.parse(await (await backups.get(key))?.json());
    manifests = { databases: new Map(), buckets: new Map() };
    for (const name of backup.databases) manifests.databases.set(name, await read(backupKeys.d1Manifest(name, takenAt), D1Manifest));
    for (const name of ["assets", "documents"]) manifests.buckets.set(name, await read(backupKeys.r2Manifest(name, takenAt), R2Manifest));
    expect([...manifests.databases.keys()].sort()).toEqual([
      "catalog",
      "fulfillment",
      "identity",
      "insights",
      "notifications",
      "operations",
      "orders",
      "orders-1",
      "orders-2",
      "orders-3",
      "payments",
      "payments-1",
      "payments-2",
      "payments-3",
    ]);
    const rows = (db: string, table: string) => manifests.databases.get(db)?.tables.find((t) => t.name === table)?.rows ?? 0;
    expect(rows("catalog", "products_fts"), "the search index is backed up too").toBe(rows("catalog", "products"));
    const orderShards = ["orders", "orders-1", "orders-2", "orders-3"];
    expect(
      orderShards.reduce((n, shard) => n + rows(shard, "orders"), 0),
      "orders, in whichever shard",
    ).toBeGreaterThan(3);
    for (const shard of orderShards.slice(1)) {
      expect(manifests.databases.get(shard)?.file, shard).toBe(backupKeys.d1File(shard, takenAt));
      expect(rows(shard, "processed_events"), `${shard}: its own row`).toBeGreaterThanOrEqual(1);
      expect(rows(shard, "d1_migrations"), `${shard}: its migrations`).toBe(rows("orders", "d1_migrations"));
    }
    expect(rows("orders", "d1_migrations"), "the migrations table, so later migrations apply").toBeGreaterThan(0);
    for (const shard of ["payments-1", "payments-2", "payments-3"]) {
      expect(manifests.databases.get(shard)?.file, shard).toBe(backupKeys.d1File(shard, takenAt));
      expect(rows(shard, "d1_migrations"), `${shard}: its migrations`).toBe(rows("payments", "d1_migrations"));
    }
    for (const bucket of manifests.buckets.values()) expect(bucket.complete).toBe(true);
    expect(manifests.buckets.get("assets")?.objects.length).toBeGreaterThan(48);
    expect(manifests.buckets.get("documents")?.objects.length, "invoices").toBeGreaterThan(0);

    const order = writtenBefore.find((w) => w.kind === "order") as Written;
    const image = writtenBefore.find((w) => w.kind === "image") as Written;
    sample = {
      orderId: buyers[0]?.orderId ?? "",
      buyerToken: buyers[0]?.token ?? "",
      imageKey: image.id,
      searchWord: northwind[0]?.slug.split("-")[0] ?? "",
    };
    expect(order.id).toMatch(/^ord_/);
    await live.dispose();
    platform = undefined;
  });

  it("refuses to restore over databases that hold data, and changes nothing", async () => {
    const refused = await restoreCommand("--from", takenAt);
    expect(refused.code, refused.out).toBe(2);
    expect(refused.out).toContain("refused: D1 orders is not empty");
    expect(refused.out).toContain("--wipe");
    const now = await readBack();
    // Writes after the backup are still there: the refusal touched nothing.
    for (const w of writtenAfter.filter((x) => x.kind === "order")) expect(now.kept.order.has(w.id)).toBe(true);
  });

  it("with --wipe, puts every row and object back as the backup had them (over the live data)", async () => {
    // A shard changed since the backup (its row gone, another there) goes back too.
    const restorer = await openRestoreWorker(root, state.dir);
    const shard = await restorer.miniflare.getD1Database("D1_orders-2", "restore");
    await shard.prepare("DELETE FROM processed_events WHERE event_id LIKE ?").bind(`${SHARD_MARK}%`).run();
    await shard
      .prepare("INSERT INTO processed_events (event_id, type, processed_at) VALUES (?, 'drill.stray', 0)")
      .bind(`${SHARD_MARK}-stray`)
      .run();
    await restorer.dispose();

    const restored = await restoreCommand("--from", takenAt, "--wipe");
    expect(restored.code, restored.out).toBe(0);
    // 14 databases (8, the orders and payments databases being 4 shards each) and 2 buckets.
    expect(restored.out.match(/ {2}verified$/gm)?.length, restored.out).toBe(16);
    for (const shard of ["orders-1", "orders-2", "orders-3", "payments-1", "payments-2", "payments-3"])
      expect(restored.out).toMatch(new RegExp(`^D1 ${shard} +${takenAt} .* verified$`, "m"));
    expectTheBackup(await readBack());
  });

  it("after a total loss (every database deleted, both buckets emptied), rebuilds the platform from the latest backup", async () => {
    const restorer = await openRestoreWorker(root, state.dir);
    for (const target of restorer.targets.buckets) {
      const bucket = await restorer.miniflare.getR2Bucket(`R2_${target.name}`, "restore");
      const keys = (await bucket.list()).objects.map((o) => o.key);
      if (keys.length > 0) await bucket.delete(keys);
      expect((await bucket.list()).objects).toEqual([]);
    }
    await restorer.dispose();
    rmSync(join(state.dir, "v3", "d1"), { recursive: true, force: true });

    const restored = await restoreCommand("--from", "latest");
    expect(restored.code, restored.out).toBe(0);
    expect(restored.out).toContain(`D1 catalog        ${takenAt}`);
    expect(restored.out).toContain(`D1 orders-3       ${takenAt}`);
    expectTheBackup(await readBack());
  });

  it("starts on the restored state with no migration to apply, and serves what it held", async () => {
    platform = await boot(state.dir, { demoSize: 0 });
    expect(platform.messages.filter((m) => m.includes("applied"))).toEqual([]);
    const order = await call(platform.url, "GET", `/v1/orders/${sample.orderId}`, { token: sample.buyerToken });
    expect(order.status, JSON.stringify(order.body)).toBe(200);
    const image = await fetch(new URL(`/v1/images/products/${sample.imageKey}`, platform.url));
    expect(image.status).toBe(200);
    const search = await call(platform.url, "GET", `/v1/products?q=${encodeURIComponent(sample.searchWord)}`);
    expect(search.status).toBe(200);
    expect((search.body.items as unknown[]).length, "the search index answers").toBeGreaterThan(0);
  });
});
