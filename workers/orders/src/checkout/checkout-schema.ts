import type { SchemaStep } from "#shared/object-schema.ts";

/** A Checkout object's schema versions (workers/shared/src/object-schema.ts runs them on first use). */
export const CHECKOUT_SCHEMA: readonly SchemaStep[] = [
  {
    version: 1,
    does: "one row: the request's fingerprint, the saved progress (JSON) and when the key was first used",
    up: (sql) => {
      sql.exec(
        "CREATE TABLE IF NOT EXISTS checkout (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL, progress TEXT NOT NULL, created_at INTEGER NOT NULL)",
      );
    },
  },
];
