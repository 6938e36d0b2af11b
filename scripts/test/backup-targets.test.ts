import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { backupTargets, shardTargets } from "../backup-targets.ts";
import { WORKERS } from "../workers.ts";

// What a backup covers and a restore rebuilds, read from the configs: every D1 database of every Worker, each
// shard of the orders and payments databases its own, named as the `scheduled` handler finds it
// (workers/shared/src/d1-shards.ts).
const root = process.cwd();

describe("the backup's targets", () => {
  it("are every D1 database of every Worker; the orders database is four shards, each its own target", () => {
    const { databases } = backupTargets(root);
    const d1Of = (config: string): { binding: string; database_name?: string; database_id?: string }[] =>
      unstable_readConfig({ config }).d1_databases;
    expect(databases.map((d) => d.name)).toEqual(WORKERS.flatMap((w) => d1Of(w.config).map((db) => db.database_name)));
    expect(databases.filter((d) => d.worker === "orders")).toEqual(
      d1Of("workers/orders/wrangler.toml").map((db) => ({
        name: db.database_name,
        worker: "orders",
        binding: db.binding,
        id: db.database_id,
      })),
    );
    expect(databases.filter((d) => d.worker === "orders").map((d) => `${d.binding} ${d.name}`)).toEqual([
      "DB orders",
      "DB_1 orders-1",
      "DB_2 orders-2",
      "DB_3 orders-3",
    ]);
    expect(databases.filter((d) => d.worker === "payments").map((d) => `${d.binding} ${d.name}`)).toEqual([
      "DB payments",
      "DB_1 payments-1",
      "DB_2 payments-2",
      "DB_3 payments-3",
    ]);
    expect(new Set(databases.map((d) => d.id)).size, "each database its own id").toBe(databases.length);
  });

  it("give payments at least as many shards as orders: a payment is on the shard its order id names", () => {
    const shardsOf = (worker: string) => backupTargets(root).databases.filter((d) => d.worker === worker).length;
    expect(shardsOf("orders")).toBeGreaterThan(1);
    expect(shardsOf("payments")).toBeGreaterThanOrEqual(shardsOf("orders"));
  });

  it("refuse a config whose databases the backup would not find, or would name otherwise", () => {
    const db = (binding: string, database_name: string) => ({ binding, database_name, database_id: `id-${database_name}` });
    expect(shardTargets("x.toml", "orders", [db("DB", "orders"), db("DB_1", "orders-1")]).map((t) => t.name)).toEqual([
      "orders",
      "orders-1",
    ]);
    expect(() => shardTargets("x.toml", "orders", [db("DB", "orders"), db("DB_2", "orders-2")])).toThrow(
      "x.toml: D1 database 2 is bound as DB_2 and named orders-2; the backup finds it only as DB_1 named orders-1",
    );
    expect(() => shardTargets("x.toml", "orders", [db("DB", "orders"), db("DB_1", "orders-eu")])).toThrow(/named orders-eu/);
    expect(() => shardTargets("x.toml", "admin", [db("OPERATIONS", "operations")])).toThrow(/only as DB named operations/);
  });
});
