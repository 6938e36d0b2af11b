import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestVersion, type SchemaStep } from "#shared/object-schema.ts";
import { shardIndexOf } from "#shared/order-id.ts";
import { CART_SCHEMA } from "../../durable-objects/src/cart/cart-schema.ts";
import { INVENTORY_SCHEMA } from "../../durable-objects/src/inventory/inventory-schema.ts";
import { d1Targets } from "../../scripts/d1-migrations.ts";
import { shardBindings } from "../../scripts/order-shards.ts";
import { type OrderRecord, UpgradeManifest } from "../../scripts/upgrade-fixture/manifest.ts";
import { WORKERS } from "../../scripts/workers.ts";
import { METER_SCHEMA } from "../../workers/admin/src/api-keys/meter-schema.ts";
import { THROTTLE_SCHEMA } from "../../workers/identity/src/throttle-schema.ts";
import { CHECKOUT_SCHEMA } from "../../workers/orders/src/checkout/checkout-schema.ts";
import { waitFor } from "./after-sale-client.ts";
import { type CallOptions, call, type Reply } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

// Upgrade without loss: the state a previous release left (made by that release's own code with
// `npm run fixture:upgrade -- <commit>`, packed in test/fixtures/upgrade/) is started with today's code exactly as
// `npm start` starts it: D1 migrations apply, every Durable Object migrates its schema on first use, nobody does
// anything by hand. Every cart, hold, order, account and API key the manifest lists must be there and work.
const FIXTURES = resolve("test/fixtures/upgrade");
const manifests = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => UpgradeManifest.parse(JSON.parse(readFileSync(join(FIXTURES, f), "utf8"))));

const OBJECT_SCHEMAS: Record<string, readonly SchemaStep[]> = {
  "durable-objects-Cart": CART_SCHEMA,
  "durable-objects-Inventory": INVENTORY_SCHEMA,
  "orders-Checkout": CHECKOUT_SCHEMA,
  "identity-LoginThrottle": THROTTLE_SCHEMA,
  "admin-ApiKeyMeter": METER_SCHEMA,
};

/** Each object's schema version, read from its SQLite file (0: never migrated) — once the platform has stopped. */
function objectVersions(stateDir: string, namespace: string): number[] {
  const dir = join(stateDir, "v3/do", namespace);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
    .map((f) => {
      const db = new DatabaseSync(join(dir, f), { readOnly: true });
      try {
        const table = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").get();
        if (table === undefined) return 0;
        return Number((db.prepare("SELECT version FROM schema_version").get() as { version: number }).version);
      } finally {
        db.close();
      }
    });
}

type Stock = {
  onHand: number;
  held: number;
  available: number;
  holds: { holdId: string; quantity: number; owner: string; expiresAt: number }[];
};

it("has the state of a previous release to start from", () => {
  expect(manifests.length).toBeGreaterThan(0);
});

describe.each(manifests)("an upgrade from $release", (manifest) => {
  const state = freshStateDir();
  let platform: Awaited<ReturnType<typeof boot>>;
  let stopped = false;
  const at = (client: string, options: CallOptions = {}): CallOptions => ({ ip: client, ...options });
  const shop = (method: string, path: string, options?: CallOptions) => call(platform.url, method, path, options);
  const admin = (method: string, path: string, options?: CallOptions) => call(platform.adminUrl, method, path, options);
  const { shopper, locked } = manifest.accounts;
  const signIn = async (email: string, password: string, client: string): Promise<string> => {
    const reply = await shop("POST", "/v1/auth/login", at(client, { body: { email, password } }));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return String(reply.body.accessToken);
  };
  const snapshot = async (sku: string): Promise<Stock> => {
    const ns = await platform.miniflare.getDurableObjectNamespace("INVENTORY", "durable-objects");
    return (
      ns.get(ns.idFromName(sku)) as unknown as { snapshot(limit: number): Promise<Stock & { movements: { opId: string }[] }> }
    ).snapshot(500);
  };
  /** The holds of the release still running now (a fixture is read long after it was made: most have lapsed). */
  const stillHeld = (sku: string) => (manifest.stock[sku]?.holds ?? []).filter((h) => h.expiresAt > Date.now());
  const checkout = (request: OrderRecord["checkout"], options: { bearer?: string; body?: Record<string, unknown> } = {}): Promise<Reply> =>
    shop(
      "POST",
      "/v1/checkout",
      at(request.client, {
        body: options.body ?? request.body,
        ...(options.bearer ? { token: options.bearer } : {}),
        headers: { "idempotency-key": request.key, ...(request.cartToken ? { "x-cart-token": request.cartToken } : {}) },
      }),
    );
  const orderView = (order: OrderRecord, reader: CallOptions) => shop("GET", `/v1/orders/${order.id}`, reader);
  const asRecorded = (view: Record<string, unknown>, order: OrderRecord) => {
    expect(view).toMatchObject({ id: order.id, status: order.status, totals: order.totals });
    expect(
      (view.items as OrderRecord["items"]).map(({ sku, quantity, unitPrice, lineTotal }) => ({ sku, quantity, unitPrice, lineTotal })),
    ).toEqual(order.items);
  };

  beforeAll(async () => {
    execFileSync("tar", ["-xzf", join(FIXTURES, `${manifest.release.slice(0, 7)}.tar.gz`), "-C", state.dir]);
    // The release's secrets stay, as a deployment's do; the vars that kept the fixture's clocks from running out.
    const vars: Record<string, Record<string, string>> = {};
    for (const worker of new Set([...Object.keys(manifest.vars), ...Object.keys(manifest.secrets)])) {
      vars[worker] = { ...manifest.secrets[worker], ...manifest.vars[worker] };
    }
    platform = await boot(state.dir, { demoSize: manifest.demoSize, vars });
    // A hold about to lapse would make the checks below depend on the moment: wait until it has.
    const lapsing = Object.values(manifest.stock)
      .flatMap((s) => s.holds)
      .filter((h) => h.expiresAt > Date.now() && h.expiresAt < Date.now() + 90_000);
    const until = Math.max(0, ...lapsing.map((h) => h.expiresAt + 1_000 - Date.now()));
    await new Promise((r) => setTimeout(r, until));
  });
  afterAll(async () => {
    if (!stopped) await platform?.dispose();
    state.remove();
  });

  it("D1: every database of today's configs has every migration, the orders and payments shards the release never had among them", async () => {
    // The release had one orders and one payments database; their shards are new databases, made and migrated by
    // the start alone.
    for (const spec of WORKERS) {
      for (const target of d1Targets(spec.config)) {
        const db = await platform.miniflare.getD1Database(target.binding, spec.name);
        const { results } = await db.prepare(`SELECT name FROM ${target.migrationsTable} ORDER BY id`).all<{ name: string }>();
        const files = readdirSync(target.migrationsDir).filter((f) => f.endsWith(".sql"));
        expect(
          results.map((r) => r.name),
          `${spec.name} ${target.binding}`,
        ).toEqual(files.sort());
      }
    }
    for (const worker of ["orders", "payments"])
      expect(d1Targets(`workers/${worker}/wrangler.toml`).map((t) => t.binding)).toEqual(["DB", "DB_1", "DB_2", "DB_3"]);
  });

  it("stock: every SKU's on-hand, holds and movements as the release left them; holds past their time have lapsed", async () => {
    for (const [sku, recorded] of Object.entries(manifest.stock)) {
      const now = await snapshot(sku);
      const held = stillHeld(sku);
      expect(now.onHand, sku).toBe(recorded.onHand);
      expect(
        now.holds.map(({ holdId, quantity, owner, expiresAt }) => ({ holdId, quantity, owner, expiresAt })),
        sku,
      ).toEqual(held);
      expect(now.held, sku).toBe(held.reduce((n, h) => n + h.quantity, 0));
      expect(now.available, sku).toBe(now.onHand - now.held);
      expect((now as unknown as { movements: { opId: string }[] }).movements.map((m) => m.opId)).toEqual(recorded.movements);
    }
  });

  it("accounts: the shopper signs in with the password; the release's refresh and device tokens work", async () => {
    const refreshed = await shop("POST", "/v1/auth/refresh", { body: { refreshToken: shopper.refreshToken } });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(shopper.refreshToken);
    const me = await shop("GET", "/v1/me", { token: String(refreshed.body.accessToken) });
    expect(me.body).toMatchObject({ id: shopper.userId, email: shopper.email });

    const signedIn = await shop("POST", "/v1/auth/login", {
      body: { email: shopper.email, password: shopper.password, deviceToken: shopper.deviceToken },
    });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.user).toMatchObject({ id: shopper.userId });
    // A known device keeps its token; an unknown one would have been given a new one.
    expect(signedIn.body.deviceToken).toBe(shopper.deviceToken);
  });

  it("sign-in throttle: the release's failed attempts still count against the account from that client", async () => {
    const limit = Number(manifest.vars.identity?.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_CLIENT);
    const wrong = () => shop("POST", "/v1/auth/login", at(locked.client, { body: { email: locked.email, password: "still wrong" } }));
    for (let i = locked.failures; i < limit; i++) expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(429);
    const right = await shop("POST", "/v1/auth/login", at(locked.client, { body: { email: locked.email, password: locked.password } }));
    expect(right.status).toBe(429);
    // The account itself is intact: from another client the password works.
    expect((await shop("POST", "/v1/auth/login", { body: { email: locked.email, password: locked.password } })).status).toBe(200);
  });

  it("carts: the guest's and the shopper's lines, quantities and flash-sale holds; the shopper's takes another line", async () => {
    const { guest, shopper: own } = manifest.carts;
    const heldUntil = (cartId: string, sku: string) => {
      const hold = stillHeld(sku).find((h) => h.owner === `cart:${cartId}`);
      return hold === undefined ? undefined : new Date(hold.expiresAt).toISOString();
    };
    const lines = (body: Record<string, unknown>) =>
      (body.items as { sku: string; quantity: number; heldUntil?: string }[]).map(({ sku, quantity, heldUntil }) => ({
        sku,
        quantity,
        heldUntil,
      }));
    const expected = (cartId: string, recorded: { sku: string; quantity: number }[], flashSku: string) =>
      recorded.map((l) => ({ ...l, heldUntil: l.sku === flashSku ? heldUntil(cartId, flashSku) : undefined }));

    const guestCart = await shop("GET", `/v1/carts/${guest.id}`, at(guest.client, { headers: { "x-cart-token": guest.token } }));
    expect(guestCart.status, JSON.stringify(guestCart.body)).toBe(200);
    expect(lines(guestCart.body)).toEqual(expected(guest.id, guest.lines, guest.flashSku));
    expect((await shop("GET", `/v1/carts/${guest.id}`, at(guest.client, { headers: { "x-cart-token": "not-the-token" } }))).status).toBe(
      404,
    );

    const bearer = await signIn(shopper.email, shopper.password, own.client);
    const ownCart = await shop("GET", `/v1/carts/${own.id}`, at(own.client, { token: bearer }));
    expect(ownCart.status, JSON.stringify(ownCart.body)).toBe(200);
    expect(lines(ownCart.body)).toEqual(expected(own.id, own.lines, own.flashSku));

    const extra = manifest.orders.shopper.items[0]?.sku ?? "";
    const added = await shop("POST", `/v1/carts/${own.id}/items`, at(own.client, { token: bearer, body: { sku: extra, quantity: 1 } }));
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(lines(added.body).map(({ sku, quantity }) => ({ sku, quantity }))).toEqual([...own.lines, { sku: extra, quantity: 1 }]);
  });

  it("orders: each owner reads theirs as it was; the same Idempotency-Key replays the same answer", async () => {
    const { guest, shopper: own } = manifest.orders;
    const guestView = await orderView(guest, at(guest.checkout.client, { headers: { "x-order-token": guest.orderToken } }));
    expect(guestView.status, JSON.stringify(guestView.body)).toBe(200);
    asRecorded(guestView.body, guest);
    expect((await orderView(guest, at(guest.checkout.client))).status).toBe(404);

    const bearer = await signIn(shopper.email, shopper.password, own.checkout.client);
    const list = await shop("GET", "/v1/orders", at(own.checkout.client, { token: bearer }));
    const mine = (list.body.items as Record<string, unknown>[]).find((o) => o.id === own.id);
    expect(mine).toBeDefined();
    asRecorded(mine ?? {}, own);

    // The Checkout objects that placed them answer their keys as they did (a day's lifetime stretched by the vars).
    const replayed = await checkout(guest.checkout);
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(201);
    expect(replayed.body).toMatchObject({ order: { id: guest.id }, orderToken: guest.orderToken });
    const ownReplay = await checkout(own.checkout, { bearer });
    expect(ownReplay.body).toMatchObject({ order: { id: own.id } });
    expect((await checkout(guest.checkout, { body: { ...guest.checkout.body, email: "someone.else@example.com" } })).status).toBe(422);
  });

  it("the checkout the release left half done is finished by today's code, with nobody asking", async () => {
    const { interrupted } = manifest.orders;
    // On the shard its id names (an id from before shards names shard 0, the database it was written to).
    const bindings = shardBindings("orders");
    const orders = await platform.miniflare.getD1Database(bindings[shardIndexOf(interrupted.id, bindings.length) ?? 0] ?? "DB", "orders");
    const status = () => orders.prepare("SELECT status FROM orders WHERE id = ?").bind(interrupted.id).first<{ status: string }>();
    // The watchdog alarm the release set came due long ago: today's code resumes the run from its saved steps.
    expect(await waitFor(status, (row) => row?.status !== "pending_payment", 30_000)).not.toMatchObject({ status: "pending_payment" });
    const answer = await checkout(interrupted.checkout);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ order: { id: interrupted.id, status: expect.stringMatching(/^(paid|fulfilling)$/) } });
    const cart = await shop(
      "GET",
      `/v1/carts/${interrupted.cart.id}`,
      at(interrupted.checkout.client, { headers: { "x-cart-token": interrupted.cart.token } }),
    );
    expect(cart.body.items).toEqual([]);
  });

  it("a migrated guest cart checks out: its flash-sale line is held again if its hold lapsed, and sold", async () => {
    const { guest } = manifest.carts;
    const before = await snapshot(guest.flashSku);
    const request = {
      key: `after-upgrade-${crypto.randomUUID()}`,
      body: { ...manifest.orders.guest.checkout.body, cartId: guest.id },
      client: guest.client,
      cartToken: guest.token,
    };
    const placed = await checkout(request);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const sold = guest.lines.find((l) => l.sku === guest.flashSku)?.quantity ?? 0;
    expect((await snapshot(guest.flashSku)).onHand).toBe(before.onHand - sold);
  });

  it("the API key works, and its usage goes on from the release's count", async () => {
    const { apiKey } = manifest;
    expect((await admin("GET", "/admin/v1/products?limit=1", { token: apiKey.key })).status).toBe(200);
    expect((await admin("POST", "/admin/v1/products", { token: apiKey.key, body: {} })).status).toBe(403);
    const owner = await signIn("owner@northwind.demo.edge-commerce.dev", "demo-shop-2026", "203.0.113.200");
    const keys = await admin("GET", "/admin/v1/api-keys", { token: owner });
    const listed = (keys.body.items as { id: string; usage: { requests: number; refused: number }[] }[]).find((k) => k.id === apiKey.id);
    expect(listed?.usage.reduce((n, d) => n + d.requests, 0)).toBe(apiKey.requests + 1);
    expect(listed?.usage.reduce((n, d) => n + d.refused, 0)).toBe(1);
  });

  it("every kind of Durable Object the test used migrated itself to the newest schema version", async () => {
    await platform.dispose();
    stopped = true;
    for (const [namespace, steps] of Object.entries(OBJECT_SCHEMAS)) {
      const versions = objectVersions(state.dir, namespace);
      // Objects nobody called since the upgrade keep version 0 until their first use; none is anything else.
      expect(
        versions.filter((v) => v !== 0 && v !== latestVersion(steps)),
        namespace,
      ).toEqual([]);
      expect(versions.filter((v) => v === latestVersion(steps)).length, namespace).toBeGreaterThan(0);
    }
  });
});
