import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SqlDb } from "#shared/backup/d1-snapshot.ts";
import { backupKeys, D1Manifest, R2Manifest } from "#shared/backup/manifest.ts";
import { runBackup } from "#shared/backup/run.ts";
import { listKeys, readManifest } from "#shared/backup/store.ts";
import { createLogger } from "#shared/logger.ts";

// The daily backup run of the catalog, inside workerd with its real D1 database and R2 buckets: what a run
// copies (only what is new or changed), how many it copies at most, and what the retention deletes (runs older
// than the retention, and then the copies no kept run names), never the last good backup.
const DAY = 86_400_000;
const T0 = Date.parse("2026-11-01T03:30:00.000Z");
const at = (days: number) => new Date(T0 + days * DAY);
const log = createLogger("catalog", "error");
const run = (days: number, extra: { db?: SqlDb; shards?: { database: string; db: SqlDb }[]; maxCopies?: number } = {}) =>
  runBackup({
    databases: [{ database: "catalog", db: extra.db ?? env.DB }, ...(extra.shards ?? [])],
    backups: env.BACKUPS,
    buckets: { assets: env.ASSETS },
    retentionDays: 30,
    at: at(days),
    log,
    ...(extra.maxCopies === undefined ? {} : { maxCopies: extra.maxCopies }),
  });
const keysUnder = async (prefix: string) => (await listKeys(env.BACKUPS, prefix)).map((o) => o.key);
const assetsManifest = async (days: number) =>
  readManifest(env.BACKUPS, backupKeys.r2Manifest("assets", at(days).toISOString()), R2Manifest);

describe("a backup run", () => {
  it("copies each object once, again only when it changed; keeps runs for the retention, then their unneeded copies go", async () => {
    for (const name of ["a.png", "b.png", "c.png"]) await env.ASSETS.put(`drill/${name}`, `bytes of ${name}`);

    const first = await run(0);
    expect(first.buckets).toEqual([{ bucket: "assets", objects: 3, copied: 3, complete: true }]);
    expect(first.databases).toEqual([
      { database: "catalog", tables: expect.any(Number), rows: expect.any(Number), bytes: expect.any(Number) },
    ]);
    expect(first.databases[0]?.tables).toBeGreaterThan(5);
    const manifest = await readManifest(env.BACKUPS, backupKeys.d1Manifest("catalog", at(0).toISOString()), D1Manifest);
    expect(manifest?.tables.find((t) => t.name === "d1_migrations")?.rows).toBeGreaterThan(0);

    expect((await run(1)).buckets[0]?.copied, "nothing new: nothing copied").toBe(0);

    await env.ASSETS.put("drill/b.png", "new bytes of b.png");
    await env.ASSETS.put("drill/d.png", "bytes of d.png");
    await env.ASSETS.delete("drill/c.png");
    expect((await run(2)).buckets[0]).toEqual({ bucket: "assets", objects: 3, copied: 2, complete: true });
    const b = async (days: number) => (await assetsManifest(days))?.objects.find((o) => o.key === "drill/b.png")?.sha256;
    expect(await b(2)).not.toBe(await b(0));
    // c.png is gone from the bucket, but the runs that list it are kept, and so is its copy.
    expect(await keysUnder(backupKeys.copyPrefix("assets"))).toContain("objects/assets/drill/c.png");

    // 35 days on: the runs of days 0–2 are older than the 30 days kept; c.png's copy is named by no run left.
    const later = await run(35);
    expect(later.expired).toBe(3 * 3 + 1);
    expect(await keysUnder(backupKeys.d1Prefix("catalog"))).toEqual([
      backupKeys.d1Manifest("catalog", at(35).toISOString()),
      backupKeys.d1File("catalog", at(35).toISOString()),
    ]);
    expect(await keysUnder(backupKeys.r2Prefix("assets"))).toEqual([backupKeys.r2Manifest("assets", at(35).toISOString())]);
    expect(await keysUnder(backupKeys.copyPrefix("assets"))).toEqual([
      "objects/assets/drill/a.png",
      "objects/assets/drill/b.png",
      "objects/assets/drill/d.png",
    ]);
    expect(await (await env.BACKUPS.get("objects/assets/drill/b.png"))?.text()).toBe("new bytes of b.png");
  });

  it("copies a bounded number of new objects per run and lists the rest without a checksum; the next run goes on", async () => {
    for (const name of ["e.png", "f.png", "g.png"]) await env.ASSETS.put(`bounded/${name}`, `bytes of ${name}`);
    const capped = await run(40, { maxCopies: 2 });
    expect(capped.buckets[0]).toMatchObject({ copied: 2, complete: false });
    expect((await assetsManifest(40))?.objects.filter((o) => o.sha256 === null).length).toBeGreaterThan(0);
    const next = await run(41, { maxCopies: 100 });
    expect(next.buckets[0]).toMatchObject({ complete: true });
    expect((await assetsManifest(41))?.objects.every((o) => o.sha256 !== null)).toBe(true);
  });

  it("that cannot read the database fails loudly and deletes no older backup of it", async () => {
    const broken: SqlDb = { prepare: (sql) => env.DB.prepare(sql), batch: async () => Promise.reject(new Error("D1 is down")) };
    const before = await keysUnder(backupKeys.d1Prefix("catalog"));
    await expect(run(400, { db: broken })).rejects.toThrow(/D1 catalog: D1 is down/);
    expect(await keysUnder(backupKeys.d1Prefix("catalog"))).toEqual(before);
    // The bucket's part does not depend on the database's: it ran.
    expect(await assetsManifest(400)).not.toBeNull();
  });

  it("of a sharded database backs each shard up under its own name; one that fails stops neither the others nor the bucket", async () => {
    const broken: SqlDb = { prepare: (sql) => env.DB.prepare(sql), batch: async () => Promise.reject(new Error("D1 is down")) };
    const shards = [
      { database: "catalog-1", db: broken },
      { database: "catalog-2", db: env.DB },
    ];
    await expect(run(500, { shards })).rejects.toThrow(/backup of catalog, catalog-1, catalog-2, assets at .*: D1 catalog-1: D1 is down$/);
    const when = at(500).toISOString();
    for (const database of ["catalog", "catalog-2"]) {
      const manifest = await readManifest(env.BACKUPS, backupKeys.d1Manifest(database, when), D1Manifest);
      expect(manifest?.database, database).toBe(database);
      expect(manifest?.file).toBe(backupKeys.d1File(database, when));
    }
    expect(await keysUnder(backupKeys.d1Prefix("catalog-1")), "no manifest of the shard that failed").toEqual([]);
    expect(await assetsManifest(500)).not.toBeNull();

    const report = await run(501, { shards: [{ database: "catalog-1", db: env.DB }] });
    expect(report.databases.map((d) => d.database)).toEqual(["catalog", "catalog-1"]);
    expect(report.errors).toEqual([]);
  });
});
