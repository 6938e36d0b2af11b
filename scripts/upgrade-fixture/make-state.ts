import { join } from "node:path";
import { checkoutBody, shopper } from "../../test/system/checkout-client.ts";
import { call, type Reply } from "../../test/system/identity-client.ts";
import { d1Targets } from "../d1-migrations.ts";
import type { Platform } from "../platform.ts";
import type { OrderRecord, StockRecord, UpgradeManifest } from "./manifest.ts";

// The state an upgrade must keep, made through a release's public API (and read back from its Inventory objects):
// accounts and a throttled sign-in, a guest's and a shopper's cart with flash-sale holds, paid orders, a checkout
// that died half way, an API key in use. Only HTTP and the objects' RPC: it runs against any release's platform.

export type MadeState = Pick<UpgradeManifest, "accounts" | "carts" | "orders" | "stock" | "apiKey">;
type Running = Pick<Platform, "url" | "adminUrl" | "miniflare">;
type Json = Record<string, unknown>;
type Sku = { sku: string; flash: boolean };

const PASSWORD = "correct horse battery staple";
const DEMO_OWNER = { email: "owner@northwind.demo.edge-commerce.dev", password: "demo-shop-2026" };
// Each actor has a client address of its own (TEST-NET-2), so no per-client limit is met by another's calls.
const CLIENTS = { shopper: "198.51.100.11", guest: "198.51.100.12", buyer: "198.51.100.13", interrupted: "198.51.100.14" };
const LOCKED_CLIENT = "198.51.100.15";
const OWNER_CLIENT = "198.51.100.16";
const FAILED_SIGN_INS = 3;

const expectStatus = (reply: Reply, status: number, what: string): Json => {
  if (reply.status !== status) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
};
const str = (value: unknown, what: string): string => {
  if (typeof value !== "string") throw new Error(`${what}: not a string (${JSON.stringify(value)})`);
  return value;
};

/** Plentiful SKUs (any merchant) and flash-sale SKUs, from the catalog's own tables. */
async function skus(platform: Running): Promise<{ plain: string[]; flash: string[] }> {
  const db = await platform.miniflare.getD1Database("DB", "catalog");
  const { results } = await db
    .prepare(
      "SELECT v.sku, p.flash_sale = 1 AS flash FROM variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'active' AND v.available >= 20 ORDER BY v.sku",
    )
    .all<Sku>();
  const plain = results.filter((r) => !r.flash).map((r) => r.sku);
  const flash = results.filter((r) => r.flash).map((r) => r.sku);
  if (plain.length < 5 || flash.length < 2)
    throw new Error(`the demo shop is too small: ${plain.length} plain and ${flash.length} flash-sale SKUs`);
  return { plain, flash };
}

async function signIn(platform: Running, email: string, password: string, client: string, deviceToken?: string): Promise<Json> {
  const body = deviceToken === undefined ? { email, password } : { email, password, deviceToken };
  return expectStatus(await call(platform.url, "POST", "/v1/auth/login", { body, ip: client }), 200, `sign in ${email}`);
}

/** Reads an order until two reads a few seconds apart agree (its events have been consumed), as its reader sees it. */
async function settledOrder(platform: Running, id: string, reader: { bearer?: string; orderToken?: string }): Promise<Json> {
  const read = async () =>
    expectStatus(
      await call(platform.url, "GET", `/v1/orders/${id}`, {
        ...(reader.bearer ? { token: reader.bearer } : {}),
        headers: reader.orderToken ? { "x-order-token": reader.orderToken } : {},
      }),
      200,
      `order ${id}`,
    );
  let last = await read();
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 2_000));
    const next = await read();
    if (JSON.stringify(next) === JSON.stringify(last)) return next;
    last = next;
  }
  return last;
}

const orderRecord = (view: Json, checkout: OrderRecord["checkout"]): OrderRecord => ({
  id: str(view.id, "order id"),
  status: str(view.status, "order status"),
  items: (view.items as OrderRecord["items"]).map(({ sku, quantity, unitPrice, lineTotal }) => ({ sku, quantity, unitPrice, lineTotal })),
  totals: view.totals as OrderRecord["totals"],
  checkout,
});

async function stockRecord(platform: Running, sku: string): Promise<StockRecord> {
  const ns = await platform.miniflare.getDurableObjectNamespace("INVENTORY", "durable-objects");
  const stub = ns.get(ns.idFromName(sku)) as unknown as {
    snapshot(limit: number): Promise<{ onHand: number; holds: StockRecord["holds"]; movements: { opId: string }[] }>;
  };
  const snapshot = await stub.snapshot(500);
  return {
    onHand: snapshot.onHand,
    holds: snapshot.holds.map(({ holdId, quantity, owner, expiresAt }) => ({ holdId, quantity, owner, expiresAt })),
    movements: snapshot.movements.map((m) => m.opId),
  };
}

/**
 * The order a cart became, read from the release's own orders database: whichever of its D1 databases holds it (a
 * release with shards keeps each order in one of them; its config says which databases there are).
 */
type Interrupted = { id: string; stillPending: () => Promise<boolean> };

/**
 * The checkout the release left interrupted. A release that wrote its order at the start left it `pending_payment`
 * on some orders shard; today's flow writes the order only as it ends, so until then only its Checkout object (named
 * by the guest's cart and the key, as the orders Worker names it) knows the order id and that it has not settled.
 */
async function findInterrupted(platform: Running, root: string, cartId: string, key: string): Promise<Interrupted | null> {
  for (const target of d1Targets(join(root, "workers/orders/wrangler.toml"))) {
    const db = await platform.miniflare.getD1Database(target.binding, "orders");
    const status = () => db.prepare("SELECT id, status FROM orders WHERE cart_id = ?").bind(cartId).first<{ id: string; status: string }>();
    const order = await status();
    if (order !== null)
      return order.status === "pending_payment"
        ? { id: order.id, stillPending: async () => (await status())?.status === "pending_payment" }
        : null;
  }
  const checkouts = await platform.miniflare.getDurableObjectNamespace("CHECKOUT", "orders");
  const object = checkouts.get(checkouts.idFromName(`cart:${cartId}|${key}`)) as unknown as {
    status(): Promise<{ orderId: string; done: string[]; settled: boolean } | null>;
  };
  const saved = await object.status();
  if (saved === null || saved.settled || saved.done.length === 0) return null;
  return { id: saved.orderId, stillPending: async () => (await object.status())?.settled === false };
}

/** Makes the state on `platform`, a release's running from its tree at `root`. */
export async function makeState(platform: Running, root: string, say: (line: string) => void): Promise<MadeState> {
  const { plain, flash } = await skus(platform);
  const [p1, p2, p3, p4, p5] = plain as [string, string, string, string, string];
  const [f1, f2] = flash as [string, string];

  say("accounts: a shopper, and an account with failed sign-ins");
  const email = "upgrade-shopper@example.com";
  const registered = expectStatus(
    await call(platform.url, "POST", "/v1/auth/register", {
      body: { email, password: PASSWORD, name: "Upgrade Shopper" },
      ip: CLIENTS.shopper,
    }),
    201,
    "register the shopper",
  );
  const userId = str((registered.user as Json).id, "user id");
  const session = await signIn(platform, email, PASSWORD, CLIENTS.shopper);
  const bearer = str(session.accessToken, "access token");
  const lockedEmail = "upgrade-locked@example.com";
  expectStatus(
    await call(platform.url, "POST", "/v1/auth/register", {
      body: { email: lockedEmail, password: PASSWORD, name: "Locked Out" },
      ip: CLIENTS.buyer,
    }),
    201,
    "register the locked account",
  );
  for (let i = 0; i < FAILED_SIGN_INS; i++) {
    const reply = await call(platform.url, "POST", "/v1/auth/login", {
      body: { email: lockedEmail, password: "wrong password" },
      ip: LOCKED_CLIENT,
    });
    expectStatus(reply, 401, "a wrong password");
  }

  say("orders: a shopper's and a guest's, paid");
  const own = shopper(platform as Platform, CLIENTS.shopper, bearer);
  const ownCart = await own.cart([{ sku: p1, quantity: 1 }]);
  const ownCheckout = {
    key: `upgrade-shopper-${crypto.randomUUID()}`,
    body: checkoutBody(ownCart.id, undefined, { email }),
    client: CLIENTS.shopper,
    cartToken: null,
  };
  const ownPlaced = expectStatus(await own.checkout(ownCart, ownCheckout.key, ownCheckout.body), 201, "the shopper's checkout");
  const ownOrderId = str((ownPlaced.order as Json).id, "order id");

  const buyer = shopper(platform as Platform, CLIENTS.buyer);
  const buyerCart = await buyer.cart([{ sku: p2, quantity: 2 }]);
  const guestCheckout = {
    key: `upgrade-guest-${crypto.randomUUID()}`,
    body: checkoutBody(buyerCart.id),
    client: CLIENTS.buyer,
    cartToken: buyerCart.token,
  };
  const guestPlaced = expectStatus(await buyer.checkout(buyerCart, guestCheckout.key, guestCheckout.body), 201, "the guest's checkout");
  const guestOrderId = str((guestPlaced.order as Json).id, "order id");
  const orderToken = str(guestPlaced.orderToken, "order token");

  say("carts: the shopper's and a guest's, each with a flash-sale line held");
  const shopperLines = [
    { sku: p3, quantity: 3 },
    { sku: f2, quantity: 2 },
  ];
  await own.cart(shopperLines); // the shopper's own cart again, emptied by the checkout
  const guest = shopper(platform as Platform, CLIENTS.guest);
  const guestLines = [
    { sku: p4, quantity: 2 },
    { sku: f1, quantity: 1 },
  ];
  const guestCart = await guest.cart(guestLines);

  say("an API key, used once");
  const owner = await signIn(platform, DEMO_OWNER.email, DEMO_OWNER.password, OWNER_CLIENT);
  const made = expectStatus(
    await call(platform.adminUrl, "POST", "/admin/v1/api-keys", {
      token: str(owner.accessToken, "owner token"),
      body: { name: "Upgrade fixture", scope: "read", quotaPerMinute: 600 },
      ip: OWNER_CLIENT,
    }),
    201,
    "make an API key",
  );
  const key = str(made.key, "API key");
  expectStatus(
    await call(platform.adminUrl, "GET", "/admin/v1/products?limit=1", { token: key, ip: OWNER_CLIENT }),
    200,
    "use the API key",
  );

  say("waiting for the orders to settle");
  const ownView = await settledOrder(platform, ownOrderId, { bearer });
  const guestView = await settledOrder(platform, guestOrderId, { orderToken });
  // The step is the release's own (workers/orders/src/checkout/flow.ts): the stock is sold and the card charged, the
  // order not written yet, so today's code must finish it (paid) from the saved steps and the payments ledger.
  say("a checkout that dies after its charge");
  const stranded = shopper(platform as Platform, CLIENTS.interrupted);
  const strandedCart = await stranded.cart([{ sku: p5, quantity: 1 }]);
  const interruptedCheckout = {
    key: `upgrade-interrupted-${crypto.randomUUID()}`,
    body: checkoutBody(strandedCart.id, undefined, { email: "fault+crash-after-charge@example.com" }),
    client: CLIENTS.interrupted,
    cartToken: strandedCart.token,
  };
  const crashed = await stranded.checkout(strandedCart, interruptedCheckout.key, interruptedCheckout.body);
  if (crashed.status < 500) throw new Error(`the checkout meant to crash answered ${crashed.status} ${JSON.stringify(crashed.body)}`);
  const interrupted = await findInterrupted(platform, root, strandedCart.id, interruptedCheckout.key);
  if (interrupted === null) throw new Error(`no interrupted checkout for ${strandedCart.id}`);

  // Last, and quickly after: the release must be stopped before the dead run's watchdog (MAKING_VARS) resumes it.
  const stock: Record<string, StockRecord> = {};
  for (const sku of [p1, p2, p3, p4, p5, f1, f2]) stock[sku] = await stockRecord(platform, sku);
  if (!(await interrupted.stillPending())) throw new Error("the interrupted checkout moved on before the release stopped");

  return {
    accounts: {
      shopper: {
        email,
        password: PASSWORD,
        userId,
        refreshToken: str(session.refreshToken, "refresh token"),
        deviceToken: str(session.deviceToken, "device token"),
      },
      locked: { email: lockedEmail, password: PASSWORD, client: LOCKED_CLIENT, failures: FAILED_SIGN_INS },
    },
    carts: {
      guest: { id: guestCart.id, token: str(guestCart.token, "cart token"), client: CLIENTS.guest, lines: guestLines, flashSku: f1 },
      shopper: { id: ownCart.id, client: CLIENTS.shopper, lines: shopperLines, flashSku: f2 },
    },
    orders: {
      guest: { ...orderRecord(guestView, guestCheckout), orderToken },
      shopper: orderRecord(ownView, ownCheckout),
      interrupted: {
        id: interrupted.id,
        cart: { id: strandedCart.id, token: str(strandedCart.token, "cart token") },
        checkout: interruptedCheckout,
      },
    },
    stock,
    apiKey: { id: str(made.id, "API key id"), key, merchantId: "mer_northwind", requests: 1 },
  };
}
