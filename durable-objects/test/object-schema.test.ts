import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addColumnIfMissing, migrateObject, ObjectSchema, type SchemaStep, schemaVersion } from "#shared/object-schema.ts";

// The mechanism on real Durable Object storage: each test borrows the SQLite storage of an Inventory object of
// its own (the class touches its storage only when one of its methods is called, and none is).
const storageOf = async <T>(work: (storage: DurableObjectStorage) => T | Promise<T>): Promise<T> =>
  runInDurableObject(env.INVENTORY.getByName(`schema-test-${crypto.randomUUID()}`), (_object, state) => work(state.storage));

const tables = (sql: SqlStorage): string[] =>
  sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name")
    .toArray()
    .map((r) => r.name);
const columns = (sql: SqlStorage, table: string): string[] =>
  sql
    .exec<{ name: string }>("SELECT name FROM pragma_table_info(?)", table)
    .toArray()
    .map((r) => r.name);

/** Two steps: 1 takes over unversioned objects of either older shape, 2 adds a table. `ran` records each run. */
function twoSteps(ran: number[], failSecond: () => boolean = () => false): SchemaStep[] {
  return [
    {
      version: 1,
      does: "notes, with a tag column that the oldest objects lack",
      up: (sql) => {
        ran.push(1);
        sql.exec("CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, tag TEXT)");
        addColumnIfMissing(sql, "notes", "tag", "TEXT");
      },
    },
    {
      version: 2,
      does: "a log table",
      up: (sql) => {
        ran.push(2);
        sql.exec("CREATE TABLE log (at INTEGER NOT NULL)");
        if (failSecond()) throw new Error("step 2 failed half way");
      },
    },
  ];
}

describe("Durable Object schema versions", () => {
  it("a new object runs every step once and records the newest version; using it again runs nothing", async () => {
    await storageOf((storage) => {
      const ran: number[] = [];
      expect(schemaVersion(storage.sql)).toBe(0);
      expect(migrateObject(storage, twoSteps(ran))).toEqual({ from: 0, to: 2 });
      expect(tables(storage.sql)).toEqual(["log", "notes", "schema_version"]);
      expect(columns(storage.sql, "notes")).toEqual(["id", "body", "tag"]);
      expect(schemaVersion(storage.sql)).toBe(2);
      expect(migrateObject(storage, twoSteps(ran))).toEqual({ from: 2, to: 2 });
      expect(ran).toEqual([1, 2]);
    });
  });

  it("an object made before versions existed (tables, no version) keeps its rows and is brought forward by step 1", async () => {
    await storageOf((storage) => {
      // As the previous release left it: the table as it was, and data in it.
      storage.sql.exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, tag TEXT)");
      storage.sql.exec("INSERT INTO notes VALUES ('n1', 'kept', 'red')");
      expect(migrateObject(storage, twoSteps([]))).toEqual({ from: 0, to: 2 });
      expect(storage.sql.exec("SELECT * FROM notes").toArray()).toEqual([{ id: "n1", body: "kept", tag: "red" }]);
    });
    await storageOf((storage) => {
      // An older shape still: step 1 adds the column the previous release's own check added.
      storage.sql.exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)");
      storage.sql.exec("INSERT INTO notes VALUES ('n1', 'kept')");
      migrateObject(storage, twoSteps([]));
      expect(storage.sql.exec("SELECT * FROM notes").toArray()).toEqual([{ id: "n1", body: "kept", tag: null }]);
      expect(schemaVersion(storage.sql)).toBe(2);
    });
  });

  it("an object at an older version runs only the steps above it", async () => {
    await storageOf((storage) => {
      const ran: number[] = [];
      const [first] = twoSteps(ran);
      if (first === undefined) throw new Error("no step 1");
      migrateObject(storage, [first]);
      storage.sql.exec("INSERT INTO notes (id, body) VALUES ('n1', 'kept')");
      expect(migrateObject(storage, twoSteps(ran))).toEqual({ from: 1, to: 2 });
      expect(ran).toEqual([1, 2]);
      expect(storage.sql.exec("SELECT count(*) AS n FROM notes").one().n).toBe(1);
    });
  });

  it("a step that throws leaves the object at its old version with nothing of the attempt, and the next use retries", async () => {
    await storageOf((storage) => {
      let failures = 1;
      const ran: number[] = [];
      const schema = new ObjectSchema(
        storage,
        twoSteps(ran, () => failures-- > 0),
      );
      expect(() => schema.sql).toThrow("step 2 failed half way");
      // Step 1 ran and step 2 made its table before throwing: both rolled back with the version.
      expect(tables(storage.sql)).toEqual([]);
      expect(schemaVersion(storage.sql)).toBe(0);

      schema.sql.exec("INSERT INTO log (at) VALUES (1)");
      expect(ran).toEqual([1, 2, 1, 2]);
      expect(schemaVersion(storage.sql)).toBe(2);
    });
    await storageOf((storage) => {
      // From a version above 0: the object keeps version 1 and its rows.
      const [first] = twoSteps([]);
      if (first === undefined) throw new Error("no step 1");
      migrateObject(storage, [first]);
      storage.sql.exec("INSERT INTO notes (id, body) VALUES ('n1', 'kept')");
      expect(() =>
        migrateObject(
          storage,
          twoSteps([], () => true),
        ),
      ).toThrow("step 2 failed half way");
      expect(schemaVersion(storage.sql)).toBe(1);
      expect(tables(storage.sql)).toEqual(["notes", "schema_version"]);
      expect(storage.sql.exec("SELECT body FROM notes").one().body).toBe("kept");
    });
  });

  it("a transaction of the object's own that rolls back keeps the migration its first use ran", async () => {
    await storageOf((storage) => {
      const schema = new ObjectSchema(storage, twoSteps([]));
      const failing = () =>
        schema.transaction(() => {
          schema.sql.exec("INSERT INTO notes (id, body) VALUES ('n1', 'rolled back')");
          throw new Error("the call failed");
        });
      expect(failing).toThrow("the call failed");
      expect(schemaVersion(storage.sql)).toBe(2);
      expect(schema.sql.exec("SELECT count(*) AS n FROM notes").one().n).toBe(0);
    });
  });

  it("an object newer than the code is refused and left as it is", async () => {
    await storageOf((storage) => {
      migrateObject(storage, twoSteps([]));
      const [first] = twoSteps([]);
      if (first === undefined) throw new Error("no step 1");
      expect(() => migrateObject(storage, [first])).toThrow("this object's schema is at version 2; this code knows versions up to 1");
      expect(schemaVersion(storage.sql)).toBe(2);
    });
  });

  it("after deleteAll the object is empty, and its next use makes the schema again", async () => {
    await storageOf(async (storage) => {
      const ran: number[] = [];
      const schema = new ObjectSchema(storage, twoSteps(ran));
      schema.sql.exec("INSERT INTO notes (id, body) VALUES ('n1', 'gone')");
      schema.sql.exec("INSERT INTO notes (id, body) VALUES ('n2', 'gone')");
      expect(ran).toEqual([1, 2]); // once per instance, not once per use
      await schema.deleteAll();
      expect(tables(storage.sql)).toEqual([]);
      expect(schema.hasTable("notes")).toBe(false);
      expect(schema.sql.exec("SELECT count(*) AS n FROM notes").one().n).toBe(0);
      expect(ran).toEqual([1, 2, 1, 2]);
      expect(schemaVersion(storage.sql)).toBe(2);
    });
  });

  it("steps must be numbered 1, 2, 3… in order", async () => {
    await storageOf((storage) => {
      const [first, second] = twoSteps([]);
      if (first === undefined || second === undefined) throw new Error("no steps");
      expect(() => new ObjectSchema(storage, [second, first])).toThrow("schema step 1 is numbered 2");
      expect(() => migrateObject(storage, [first, { ...second, version: 3 }])).toThrow("schema step 2 is numbered 3");
      expect(tables(storage.sql)).toEqual([]);
    });
  });
});
