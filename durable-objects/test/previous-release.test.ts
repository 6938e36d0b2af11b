import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "#shared/crypto.ts";
import { latestVersion, schemaVersion } from "#shared/object-schema.ts";
import { INVENTORY_SCHEMA } from "../src/inventory/inventory-schema.ts";

// Objects as the release before schema versions left them (its DDL, copied from that release), read by this code.
// test/system/upgrade.test.ts does the same with state the previous release itself wrote.
const PREVIOUS_INVENTORY = `
  CREATE TABLE stock (
    id INTEGER PRIMARY KEY CHECK (id = 1), on_hand INTEGER NOT NULL, held INTEGER NOT NULL, seq INTEGER NOT NULL,
    retired_at INTEGER
  );
  CREATE TABLE holds (
    hold_id TEXT PRIMARY KEY, quantity INTEGER NOT NULL, owner TEXT NOT NULL, status TEXT NOT NULL,
    expires_at INTEGER NOT NULL, settled_at INTEGER, shopper TEXT
  );
  CREATE INDEX holds_active ON holds (status, expires_at);
  CREATE TABLE movements (
    op_id TEXT PRIMARY KEY, kind TEXT NOT NULL, delta INTEGER NOT NULL, reason TEXT NOT NULL, hold_id TEXT, at INTEGER NOT NULL
  );
  CREATE INDEX holds_shopper ON holds (shopper, status);
`;
// Before per-shopper limits and retirement: no holds.shopper, no stock.retired_at.
const OLDEST_INVENTORY = `
  CREATE TABLE stock (id INTEGER PRIMARY KEY CHECK (id = 1), on_hand INTEGER NOT NULL, held INTEGER NOT NULL, seq INTEGER NOT NULL);
  CREATE TABLE holds (
    hold_id TEXT PRIMARY KEY, quantity INTEGER NOT NULL, owner TEXT NOT NULL, status TEXT NOT NULL,
    expires_at INTEGER NOT NULL, settled_at INTEGER
  );
  CREATE TABLE movements (
    op_id TEXT PRIMARY KEY, kind TEXT NOT NULL, delta INTEGER NOT NULL, reason TEXT NOT NULL, hold_id TEXT, at INTEGER NOT NULL
  );
`;
// A cart made before its outbox, never checked out (so no completed_orders either).
const PREVIOUS_CART = `
  CREATE TABLE cart (
    id INTEGER PRIMARY KEY CHECK (id = 1), token_hash TEXT, owner_user_id TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE TABLE lines (
    sku TEXT PRIMARY KEY, product_slug TEXT NOT NULL, title TEXT NOT NULL, quantity INTEGER NOT NULL,
    unit_price INTEGER NOT NULL, currency TEXT NOT NULL, purchasable INTEGER NOT NULL DEFAULT 1, price_was INTEGER,
    hold_id TEXT, hold_expires_at INTEGER, hold_version INTEGER NOT NULL DEFAULT 0, added_at INTEGER NOT NULL
  );
`;

const versionOf = (stub: DurableObjectStub) => runInDurableObject(stub, (_object, state) => schemaVersion(state.storage.sql));

describe("Inventory objects of the previous release", () => {
  it("keep stock, holds (with their shopper) and movements, and are at the newest version after their first call", async () => {
    const stub = env.INVENTORY.getByName(`previous-${crypto.randomUUID()}`);
    const expiresAt = Date.now() + 60_000;
    await runInDurableObject(stub, (_object, state) => {
      const sql = state.storage.sql;
      sql.exec(PREVIOUS_INVENTORY);
      sql.exec("INSERT INTO stock VALUES (1, 10, 3, 4, NULL)");
      sql.exec("INSERT INTO holds VALUES ('h1', 3, 'cart:c1', 'active', ?, NULL, 'user:u1')", expiresAt);
      sql.exec("INSERT INTO holds VALUES ('h0', 2, 'order:o1', 'committed', 0, 1, NULL)");
      sql.exec("INSERT INTO movements VALUES ('opening', 'opening', 12, 'opening stock', NULL, 1)");
      sql.exec("INSERT INTO movements VALUES ('sale:h0', 'sale', -2, 'sale', 'h0', 2)");
    });
    expect(await versionOf(stub)).toBe(0);

    expect(await stub.stock()).toMatchObject({ onHand: 10, held: 3, available: 7 });
    const snapshot = await stub.snapshot();
    expect(snapshot.holds).toEqual([{ holdId: "h1", quantity: 3, owner: "cart:c1", status: "active", expiresAt }]);
    expect(snapshot.movements.map((m) => m.opId)).toEqual(["sale:h0", "opening"]);
    // The old hold still counts against its shopper's share, and the committed one is still a sale.
    expect(await stub.hold("h2", 2, 60_000, "cart:c2", { shopper: "user:u1", maxPerShopper: 4 })).toMatchObject({
      ok: false,
      reason: "limit",
      held: 3,
    });
    expect(await stub.commit("h0")).toMatchObject({ ok: true, stock: { onHand: 10 } });
    expect(await versionOf(stub)).toBe(latestVersion(INVENTORY_SCHEMA));
  });

  it("made before per-shopper limits and retirement, gain both columns and work", async () => {
    const stub = env.INVENTORY.getByName(`oldest-${crypto.randomUUID()}`);
    await runInDurableObject(stub, (_object, state) => {
      state.storage.sql.exec(OLDEST_INVENTORY);
      state.storage.sql.exec("INSERT INTO stock VALUES (1, 5, 0, 0)");
    });
    expect(await stub.hold("h1", 2, 60_000, "cart:c1", { shopper: "user:u1", maxPerShopper: 2 })).toMatchObject({ ok: true });
    expect(await stub.retire()).toMatchObject({ stock: { onHand: 5, held: 2, available: 0 }, activeHolds: 1 });
    expect(await versionOf(stub)).toBe(latestVersion(INVENTORY_SCHEMA));
  });
});

describe("Cart objects of the previous release", () => {
  it("keep their lines and token; checkout completes on them, and a deleted cart is made again by the same object", async () => {
    const id = `crt_previous${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const stub = env.CART.getByName(id);
    const token = "previous-release-cart-token";
    const now = Date.now();
    await runInDurableObject(stub, async (_object, state) => {
      const sql = state.storage.sql;
      sql.exec(PREVIOUS_CART);
      sql.exec("INSERT INTO cart VALUES (1, ?, NULL, ?, ?)", await sha256Hex(token), now, now);
      sql.exec(
        "INSERT INTO lines (sku, product_slug, title, quantity, unit_price, currency, added_at) VALUES ('A-1', 'a', 'A', 2, 500, 'USD', 1)",
      );
      sql.exec(
        "INSERT INTO lines (sku, product_slug, title, quantity, unit_price, currency, added_at) VALUES ('B-1', 'b', 'B', 1, 900, 'USD', 2)",
      );
    });

    // An order took one A: the cart records it (a table it did not have) and keeps the rest.
    expect(await stub.completeCheckout("ord_1", [{ sku: "A-1", quantity: 1 }])).toEqual({ removed: 1, orderId: "ord_1" });
    expect(await stub.completeCheckout("ord_1", [{ sku: "A-1", quantity: 1 }])).toEqual({ removed: 0, orderId: "ord_1" });
    expect(await versionOf(stub)).toBe(1);
    expect(await stub.drain({ token: "wrong" })).toMatchObject({ ok: false });
    expect(await stub.drain({ token })).toEqual({
      ok: true,
      value: [
        { sku: "A-1", quantity: 1 },
        { sku: "B-1", quantity: 1 },
      ],
    });

    // Drained means deleted, tables and version included; the same object can be a cart again.
    expect(await versionOf(stub)).toBe(0);
    const again = await stub.create(await sha256Hex("another-token"));
    expect(again).toMatchObject({ id, items: [] });
    expect(await stub.drain({ token: "another-token" })).toEqual({ ok: true, value: [] });
  });
});
