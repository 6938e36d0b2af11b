import { describe, expect, it } from "vitest";
import { shardBinding, shardName, shardsOf } from "#shared/d1-shards.ts";

// A stand-in for a D1 binding: what shardsOf looks for is a database's methods.
const d1 = (label: string) => ({ label, prepare: () => ({}), batch: async () => [] });

describe("a Worker's shards, found in its env", () => {
  it("is its one database when only DB is bound", () => {
    const DB = d1("only");
    const env = { DB, BACKUPS: {}, LOG_LEVEL: "info" };
    expect(shardsOf(env, "catalog")).toEqual([{ database: "catalog", db: DB }]);
  });

  it("is DB, then DB_1, DB_2… in order, named <name>, <name>-1, <name>-2…, up to the first number not bound", () => {
    const env = { DB_2: d1("2"), DB: d1("0"), DB_1: d1("1"), DB_4: d1("4, after a gap"), DB_X: d1("x") };
    expect(shardsOf(env, "orders")).toEqual([
      { database: "orders", db: env.DB },
      { database: "orders-1", db: env.DB_1 },
      { database: "orders-2", db: env.DB_2 },
    ]);
  });

  it("takes only databases: a var named like a shard is not one, and no database at all is an error", () => {
    const env = { DB: d1("0"), DB_1: "a var" };
    expect(shardsOf(env, "orders").map((s) => s.database)).toEqual(["orders"]);
    expect(() => shardsOf({ DB: undefined }, "orders")).toThrow("no D1 database of orders is bound as DB");
  });

  it("names bindings and databases the way the configs do", () => {
    expect([0, 1, 12].map(shardBinding)).toEqual(["DB", "DB_1", "DB_12"]);
    expect([0, 1, 12].map((n) => shardName("orders", n))).toEqual(["orders", "orders-1", "orders-12"]);
  });
});
