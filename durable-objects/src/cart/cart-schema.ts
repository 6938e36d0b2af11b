import type { SchemaStep } from "#shared/object-schema.ts";

/**
 * A Cart object's schema versions (workers/shared/src/object-schema.ts runs them). A cart's tables exist only once
 * the cart does: the object migrates when it is made, or on first use if it has a `cart` table already.
 */
export const CART_SCHEMA: readonly SchemaStep[] = [
  {
    version: 1,
    does:
      "the cart row, its lines, its outbox and the orders that took lines, as the release before versions left them; " +
      "carts made before the outbox get it, those never checked out `completed_orders`",
    up: (sql) => {
      sql.exec(`
        CREATE TABLE IF NOT EXISTS cart (
          id INTEGER PRIMARY KEY CHECK (id = 1), token_hash TEXT, owner_user_id TEXT,
          created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS lines (
          sku TEXT PRIMARY KEY, product_slug TEXT NOT NULL, title TEXT NOT NULL, quantity INTEGER NOT NULL,
          unit_price INTEGER NOT NULL, currency TEXT NOT NULL, purchasable INTEGER NOT NULL DEFAULT 1, price_was INTEGER,
          hold_id TEXT, hold_expires_at INTEGER, hold_version INTEGER NOT NULL DEFAULT 0, added_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS completed_orders (order_id TEXT PRIMARY KEY);
      `);
    },
  },
];
