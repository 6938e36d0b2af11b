import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** Where a needle was found: the file under the state folder, and for a database its table and column. */
export type Finding = { needle: string; file: string; table?: string; column?: string };

const SQLITE_HEADER = "SQLite format 3\0";

// Text may be stored as UTF-8 (SQL text, R2 bodies) or inside V8-serialised values (Durable Object storage
// API: one-byte Latin-1 or two-byte UTF-16 strings), so every blob is read all three ways.
const readings = (bytes: Uint8Array): string[] => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [buffer.toString("utf8"), buffer.toString("latin1"), buffer.toString("utf16le")].map((s) => s.toLowerCase());
};

function matches(value: unknown, needles: string[]): string[] {
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    return needles.filter((n) => lower.includes(n));
  }
  if (value instanceof Uint8Array) {
    const texts = readings(value);
    return needles.filter((n) => texts.some((t) => t.includes(n)));
  }
  return [];
}

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

const isSqlite = (path: string): boolean => {
  if (statSync(path).size < 100) return false;
  return readFileSync(path).subarray(0, SQLITE_HEADER.length).toString("latin1") === SQLITE_HEADER;
};

/** Every value of every table (internal ones included), through SQLite itself: what the database holds now. */
function scanDatabase(path: string, file: string, needles: string[]): Finding[] {
  const found: Finding[] = [];
  // Read-only beside the running platform (WAL: it keeps writing), waiting out its brief exclusive locks; big
  // integers (nanosecond alarm times) come back as BigInt instead of failing the read.
  const db = new DatabaseSync(path, { readOnly: true, readBigInts: true, timeout: 10_000 });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of tables) {
      const quoted = `"${name.replaceAll('"', '""')}"`;
      let rows: Record<string, unknown>[];
      try {
        rows = db.prepare(`SELECT * FROM ${quoted}`).all() as Record<string, unknown>[];
      } catch (err) {
        // A virtual table whose module this SQLite lacks: its shadow tables are ordinary tables, read on their own.
        if (String(err).includes("no such module")) continue;
        throw new Error(`${file}: table ${name}: ${String(err)}`);
      }
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          for (const needle of matches(value, needles)) found.push({ needle, file, table: name, column });
        }
      }
    }
  } finally {
    db.close();
  }
  return found;
}

/**
 * Looks for each needle (case-insensitive) in everything the platform persisted under `stateDir`: every D1
 * database, every Durable Object's storage and the R2 buckets' metadata through SQLite (so rows overwritten
 * or deleted do not count, only what the databases hold), and every other file (R2 object bodies, cache
 * entries…) byte by byte. Nothing is named in advance: a new table, column, bucket or object class is scanned
 * as soon as it exists.
 */
export function scanState(stateDir: string, needles: string[]): Finding[] {
  const lowered = needles.map((n) => n.toLowerCase());
  const found: Finding[] = [];
  for (const path of files(stateDir)) {
    const file = relative(stateDir, path);
    // SQLite's journal files are read by SQLite with their database.
    if (/-(wal|shm|journal)$/.test(path)) continue;
    if (isSqlite(path)) found.push(...scanDatabase(path, file, lowered));
    else for (const needle of matches(new Uint8Array(readFileSync(path)), lowered)) found.push({ needle, file });
  }
  return found;
}
