import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { unstable_splitSqlQuery } from "wrangler";
import { dumpSnapshot } from "#shared/backup/d1-dump.ts";
import { type SqlDb, type SqlStatement, takeSnapshot } from "#shared/backup/d1-snapshot.ts";
import { type Row, rowsChecksum } from "#shared/backup/fingerprint.ts";
import { oneLine, sqlLiteral } from "#shared/backup/sql-text.ts";

// The backup file's format, on Node's own SQLite (the same engine D1 runs): a database with everything the
// platform's schemas use (FTS5 and its triggers, AUTOINCREMENT, WITHOUT ROWID, a table without a key, foreign
// keys declared before their target, views, awkward text and BLOBs) is dumped, the file is run into an empty
// database, and the copy must read back identical. The restore drill (test/system) does the same on D1.

type Statement = SqlStatement & { sql: string; args: unknown[] };

/** A D1-shaped binding over node:sqlite; a batch is one transaction, as in D1. */
function d1Like(db: DatabaseSync): SqlDb & { run: (statements: string[]) => void } {
  const statement = (sql: string, args: unknown[] = []): Statement => ({ sql, args, bind: (...values) => statement(sql, values) });
  const run = (statements: string[]) => {
    db.exec("BEGIN");
    try {
      for (const sql of statements) db.exec(sql);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  };
  return {
    prepare: (sql) => statement(sql),
    batch: async (statements) => {
      db.exec("BEGIN");
      try {
        const out = (statements as Statement[]).map((s) => ({
          results: db.prepare(s.sql).all(...(s.args as (string | number | null)[])) as unknown[],
        }));
        db.exec("COMMIT");
        return out;
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
    },
    run,
  };
}

function open(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  return db;
}

const SCHEMA = `
CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);
CREATE TABLE \`products\` (
  \`id\` text PRIMARY KEY NOT NULL,
  \`title\` text NOT NULL, -- shown in listings
  \`price\` integer NOT NULL,
  \`ratio\` real,
  \`thumb\` blob,
  \`category_id\` text REFERENCES categories(id)
);
CREATE TABLE categories (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT 'it''s');
CREATE TABLE pairs (a TEXT NOT NULL, b TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE log (at INTEGER, what TEXT);
CREATE VIRTUAL TABLE products_fts USING fts5(title, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
  INSERT INTO products_fts (rowid, title) VALUES (new.rowid, new.title);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
  DELETE FROM products_fts WHERE rowid = old.rowid;
END;
CREATE INDEX products_title_idx ON products (title COLLATE NOCASE) WHERE price > 0;
CREATE VIEW cheap AS SELECT id FROM products WHERE price < 100;
`;

function sample(): DatabaseSync {
  const db = open();
  db.exec(SCHEMA);
  db.exec(`
    INSERT INTO d1_migrations (name) VALUES ('0000_init.sql'), ('0001_more.sql'), ('0002_gone.sql');
    DELETE FROM d1_migrations WHERE name = '0002_gone.sql';
    INSERT INTO categories (id, name) VALUES ('c2', 'Lamps'), ('c1', 'Books');
    INSERT INTO products (id, title, price, ratio, thumb, category_id) VALUES
      ('p3', 'Brass lamp', 4599, 0.1, X'00ff10', 'c2'),
      ('p9', 'Gone lamp', 1, NULL, NULL, NULL),
      ('p1', 'Ćafé "noir" lamp', 99, -2.5e-7, NULL, 'c2'),
      ('p2', 'It''s a book' || char(10) || 'in two lines' || char(9) || 'and a tab', 2500, NULL, X'', 'c1'),
      ('p4', 'Emoji 🎉 and NUL-free control ' || char(27), 0, 1e300, NULL, NULL);
    DELETE FROM products WHERE id = 'p9';
    INSERT INTO products (id, title, price) VALUES ('p5', 'Lamp shade', 120);
    INSERT INTO pairs (a, b, n) VALUES ('p1', 'p3', 2), ('p1', 'p2', 1);
    INSERT INTO log (at, what) VALUES (2, 'second'), (1, 'first'), (NULL, NULL);
  `);
  return db;
}

const restoreLines = (text: string) => text.split("\n").filter((line) => line !== "" && !line.startsWith("--"));

describe("a D1 backup file", () => {
  it("restores into an empty database as exactly the same tables, rows, rowids, counters, search index, triggers and views", async () => {
    const source = sample();
    const dump = await dumpSnapshot(await takeSnapshot(d1Like(source)));
    const file = `-- header\n${dump.statements.join("\n")}\n`;

    const copy = open();
    d1Like(copy).run(restoreLines(file));
    const again = await dumpSnapshot(await takeSnapshot(d1Like(copy)));
    expect(again.tables).toEqual(dump.tables);
    expect(again.schemaSha256).toBe(dump.schemaSha256);
    expect(dump.tables.map((t) => [t.name, t.rows])).toEqual([
      ["d1_migrations", 2],
      ["products", 5],
      ["categories", 2],
      ["pairs", 2],
      ["log", 3],
      ["sqlite_sequence", 1],
      ["products_fts", 5],
    ]);

    // The search index still points at the same products (by rowid: p9's is a gap), and the triggers work on new rows.
    const cheap = (db: DatabaseSync) => db.prepare("SELECT id FROM cheap ORDER BY id").all();
    expect(cheap(copy)).toEqual(cheap(source));
    const lamp = (db: DatabaseSync) =>
      db
        .prepare(
          "SELECT p.id FROM products_fts JOIN products p ON p.rowid = products_fts.rowid WHERE products_fts MATCH 'lamp' ORDER BY p.id",
        )
        .all();
    expect(lamp(copy)).toEqual(lamp(source));
    copy.exec("INSERT INTO products (id, title, price) VALUES ('p6', 'Desk lamp', 10)");
    expect(lamp(copy).map((r) => r.id)).toContain("p6");
    // AUTOINCREMENT goes on from where it was (3 was used, then deleted), not from the largest id left.
    copy.exec("INSERT INTO d1_migrations (name) VALUES ('0003_next.sql')");
    expect(copy.prepare("SELECT id FROM d1_migrations WHERE name = '0003_next.sql'").get()).toEqual({ id: 4 });
    // Text with line breaks, quotes, control characters and BLOBs (empty ones too) come back as they were.
    const cells = (db: DatabaseSync) =>
      db.prepare("SELECT id, title, ratio, hex(thumb) AS thumb, typeof(thumb) AS kind FROM products ORDER BY id").all();
    expect(cells(copy).filter((r) => r.id !== "p6")).toEqual(cells(source));
  });

  it("is one statement a line, which is also how `wrangler d1 execute --file` splits it", async () => {
    const dump = await dumpSnapshot(await takeSnapshot(d1Like(sample())));
    const file = `-- a comment line\n${dump.statements.join("\n")}\n`;
    // wrangler keeps a comment with the statement after it (D1 reads past it); the statements are the same.
    const uncommented = (s: string) => restoreLines(s).join("\n").replace(/;$/, "");
    const byWrangler = unstable_splitSqlQuery(file).map(uncommented);
    expect(byWrangler).toEqual(restoreLines(file).map((s) => s.replace(/;$/, "")));
    for (const statement of dump.statements) expect(statement.length).toBeLessThan(100_000);
  });

  it("refuses a database that changes its schema under every attempt, and one too large to read at once", async () => {
    const db = sample();
    const flaky = d1Like(db);
    let n = 0;
    const racing: SqlDb = {
      prepare: flaky.prepare,
      batch: async (statements) => {
        // A migration lands between reading the schema and reading the rows, every time.
        if (statements.length > 2) db.exec(`CREATE TABLE extra_${n++} (x)`);
        return flaky.batch(statements);
      },
    };
    await expect(takeSnapshot(racing)).rejects.toThrow(/schema changed/);
    const sized: SqlDb = {
      prepare: flaky.prepare,
      batch: async (statements) => (await flaky.batch(statements)).map((r) => ({ ...r, meta: { size_after: 10_000 } })),
    };
    await expect(takeSnapshot(sized, 9_999)).rejects.toThrow(/10000 bytes/);
  });
});

describe("a table's checksum", () => {
  const columns = ["rowid", "id", "n", "b"];
  const a: Row = { rowid: 1, id: "a", n: 1, b: [0, 1] };
  const b: Row = { rowid: 2, id: "b", n: null, b: null };

  it("changes with any cell, rowid or row order, and reads a BLOB the same however it was handed out", async () => {
    const base = await rowsChecksum(columns, [a, b]);
    const variants: Row[][] = [
      [{ ...a, n: 2 }, b],
      [{ ...a, rowid: 3 }, b],
      [{ ...a, b: [0, 2] }, b],
      [a, { ...b, n: 0 }],
      [a, { ...b, id: "b " }],
      [b, a],
      [a],
    ];
    for (const changed of variants) expect(await rowsChecksum(columns, changed)).not.toBe(base);
    expect(await rowsChecksum(columns, [{ ...a, b: new Uint8Array([0, 1]).buffer }, b])).toBe(base);
  });
});

describe("SQL text", () => {
  it("writes values that read back as themselves, each on one line", () => {
    const db = open();
    const values = [
      "plain",
      "it's",
      'say "hi"',
      "two\nlines\r\n",
      "tab\there",
      "\u001bescape",
      "🎉",
      "",
      0,
      -1,
      2 ** 53 - 1,
      0.1,
      -2.5e-7,
      null,
    ];
    for (const value of values) {
      const literal = sqlLiteral(value);
      expect(literal).not.toMatch(/[\r\n]/);
      expect(db.prepare(`SELECT ${literal} AS v`).get()).toEqual({ v: value });
    }
    expect(db.prepare(`SELECT hex(${sqlLiteral([0, 255, 16])}) AS v`).get()).toEqual({ v: "00FF10" });
  });

  it("puts a schema statement on one line without changing it, and refuses what cannot be", () => {
    expect(oneLine("CREATE TABLE t (\n  a text DEFAULT 'x  y', -- note\n  b int /* c\nd */\n)")).toBe(
      "CREATE TABLE t ( a text DEFAULT 'x  y', b int )",
    );
    expect(() => oneLine("CREATE TABLE t (a text DEFAULT 'two\nlines')")).toThrow(/line break/);
  });
});
