import { addColumnIfMissing, type SchemaStep } from "#shared/object-schema.ts";

/** An Inventory object's schema versions (workers/shared/src/object-schema.ts runs them on first use). */
export const INVENTORY_SCHEMA: readonly SchemaStep[] = [
  {
    version: 1,
    does:
      "stock (one row), holds and movements as the release before versions left them; objects made before per-shopper " +
      "limits get holds.shopper, those made before retirement stock.retired_at",
    up: (sql) => {
      sql.exec(`
        CREATE TABLE IF NOT EXISTS stock (
          id INTEGER PRIMARY KEY CHECK (id = 1), on_hand INTEGER NOT NULL, held INTEGER NOT NULL, seq INTEGER NOT NULL,
          retired_at INTEGER
        );
        INSERT OR IGNORE INTO stock (id, on_hand, held, seq) VALUES (1, 0, 0, 0);
        CREATE TABLE IF NOT EXISTS holds (
          hold_id TEXT PRIMARY KEY, quantity INTEGER NOT NULL, owner TEXT NOT NULL, status TEXT NOT NULL,
          expires_at INTEGER NOT NULL, settled_at INTEGER, shopper TEXT
        );
        CREATE INDEX IF NOT EXISTS holds_active ON holds (status, expires_at);
        CREATE TABLE IF NOT EXISTS movements (
          op_id TEXT PRIMARY KEY, kind TEXT NOT NULL, delta INTEGER NOT NULL, reason TEXT NOT NULL, hold_id TEXT, at INTEGER NOT NULL
        );
      `);
      addColumnIfMissing(sql, "holds", "shopper", "TEXT");
      addColumnIfMissing(sql, "stock", "retired_at", "INTEGER");
      sql.exec("CREATE INDEX IF NOT EXISTS holds_shopper ON holds (shopper, status)");
    },
  },
  {
    version: 2,
    does: "an outbox, so inventory.changed is written with the change and sent after (objects before it sent and hoped)",
    up: (sql) => {
      sql.exec("CREATE TABLE outbox (id TEXT PRIMARY KEY, body TEXT NOT NULL)");
    },
  },
];
