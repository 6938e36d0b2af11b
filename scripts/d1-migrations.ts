import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { unstable_readConfig, unstable_splitSqlQuery } from "wrangler";

type D1Like = {
  prepare(sql: string): { bind(...v: unknown[]): unknown; all<T>(): Promise<{ results: T[] }> };
  batch(statements: unknown[]): Promise<unknown>;
  exec(sql: string): Promise<unknown>;
};

export type D1Target = { binding: string; migrationsDir: string; migrationsTable: string };

/** The D1 databases a wrangler config declares, with their migration folders resolved. */
export function d1Targets(configPath: string): D1Target[] {
  const config = unstable_readConfig({ config: configPath });
  return config.d1_databases.map((db: { binding: string; migrations_dir?: string; migrations_table?: string }) => ({
    binding: db.binding,
    migrationsDir: resolve(dirname(configPath), db.migrations_dir ?? "migrations"),
    migrationsTable: db.migrations_table ?? "d1_migrations",
  }));
}

/**
 * Applies the migrations that have not run yet, in order, each in one batch (a transaction) together
 * with its row in the same table `wrangler d1 migrations apply` keeps, so both tools agree on what ran.
 */
export async function applyMigrations(db: D1Like, target: D1Target): Promise<string[]> {
  await db.exec(
    `CREATE TABLE IF NOT EXISTS ${target.migrationsTable} (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
  );
  const done = new Set((await db.prepare(`SELECT name FROM ${target.migrationsTable}`).all<{ name: string }>()).results.map((r) => r.name));
  const files = readdirSync(target.migrationsDir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const statements = unstable_splitSqlQuery(readFileSync(join(target.migrationsDir, file), "utf8"));
    await db.batch([
      ...statements.map((sql) => db.prepare(sql)),
      db.prepare(`INSERT INTO ${target.migrationsTable} (name) VALUES (?)`).bind(file),
    ]);
    applied.push(file);
  }
  return applied;
}
