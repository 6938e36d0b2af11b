import { DatabaseSync } from "node:sqlite";
import { drizzle } from "drizzle-orm/d1";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { inList } from "../src/d1.ts";

// D1 binds at most 100 parameters per statement; local D1 binds far more, so a list that only fails in production
// is caught here, by counting what a query binds and running its SQL on SQLite.
const items = sqliteTable("items", { id: text("id").primaryKey() });
const db = drizzle({} as D1Database); // only builds SQL: nothing here runs on D1

describe("inList", () => {
  const ids = Array.from({ length: 250 }, (_, i) => `id_${i}`);
  const query = db.select().from(items).where(inList(items.id, ids)).toSQL();

  it("binds a list of any length as one parameter (D1 allows 100 per statement)", () => {
    expect(query.params).toHaveLength(1);
  });

  it("selects exactly the listed rows, as IN (…) would", () => {
    const sqlite = new DatabaseSync(":memory:");
    sqlite.exec("CREATE TABLE items (id TEXT PRIMARY KEY)");
    const insert = sqlite.prepare("INSERT INTO items (id) VALUES (?)");
    for (let i = 0; i < 400; i += 2) insert.run(`id_${i}`);
    const rows = sqlite.prepare(query.sql).all(...(query.params as string[])) as { id: string }[];
    expect(rows.map((r) => r.id).sort()).toEqual(ids.filter((id) => Number(id.slice(3)) % 2 === 0).sort());
  });
});
