import type { SchemaStep } from "#shared/object-schema.ts";

/** An ApiKeyMeter object's schema versions (workers/shared/src/object-schema.ts runs them on first use). */
export const METER_SCHEMA: readonly SchemaStep[] = [
  {
    version: 1,
    does: "the key (one row: secret hash, merchant, scope, quota, revocation, this minute's count) and its usage per day",
    up: (sql) => {
      sql.exec(`
        CREATE TABLE IF NOT EXISTS key (
          id INTEGER PRIMARY KEY CHECK (id = 1), secret_hash TEXT NOT NULL, merchant_id TEXT NOT NULL, scope TEXT NOT NULL,
          quota INTEGER NOT NULL, revoked_at INTEGER, window_start INTEGER NOT NULL DEFAULT 0, window_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS usage (day TEXT PRIMARY KEY, requests INTEGER NOT NULL, refused INTEGER NOT NULL);
      `);
    },
  },
];
