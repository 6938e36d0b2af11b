import { drizzle } from "drizzle-orm/d1";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { inList } from "../src/d1.ts";

// D1 binds at most 100 parameters per statement, and local D1 binds far more: a list that would fail only in
// production is caught here, by counting what its query binds. (What the SQL selects is tested on D1 by the
// queries that use it, e.g. workers/insights/test/queries.test.ts with 100 slugs.)
const items = sqliteTable("items", { id: text("id").primaryKey() });
const db = drizzle({} as D1Database); // only builds SQL: nothing here runs

describe("inList", () => {
  it("binds a list of any length as one parameter, a JSON array the statement reads with json_each", () => {
    const ids = Array.from({ length: 250 }, (_, i) => `id_${i}`);
    const query = db.select().from(items).where(inList(items.id, ids)).toSQL();
    expect(query.params).toEqual([JSON.stringify(ids)]);
    expect(query.sql).toContain('"items"."id" IN (SELECT value FROM json_each(?))');
  });
});
