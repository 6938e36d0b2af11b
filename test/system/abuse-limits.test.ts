import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { RATE_LIMIT_PERIOD_SECONDS } from "#shared/rate-limit.ts";
import type { Platform } from "../../scripts/platform.ts";
import { owner, tokenOf } from "./after-sale-client.ts";
import { eventually, pickSku } from "./cart-client.ts";
import { type CallOptions, call as request } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

// Strangers are bounded: every per-client limit answers 429 problem+json with Retry-After, for that client
// only; sign-in guesses are counted before they are checked; flash-sale stock cannot be cornered.
const state = freshStateDir();
let platform: Platform;
beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 120 });
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

let lastOctet = 0;
/** A client address of its own for each use, so limits met in one test never leak into another. */
const newClient = (): string => {
  lastOctet++;
  return `198.51.${100 + Math.floor(lastOctet / 250)}.${lastOctet % 250}`;
};

type Reply = Awaited<ReturnType<typeof request>>;
const call = (method: string, path: string, options: CallOptions & { ip: string }) => request(platform.url, method, path, options);

/** The limits as configured (the wrangler configs are the one source), so the test follows a change of number. */
type RateLimitConfig = { name: string; simple: { limit: number; period: number } };
const limitsOf = (config: string) =>
  (unstable_readConfig({ config: join(process.cwd(), config) }).ratelimits as RateLimitConfig[]).map((r) => [r.name, r] as const);
const limits = new Map([...limitsOf("workers/storefront/wrangler.toml"), ...limitsOf("workers/admin/wrangler.toml")]);
const limitOf = (name: string): number => {
  const limit = limits.get(name)?.simple.limit;
  if (limit === undefined) throw new Error(`no [[ratelimits]] ${name} in workers/storefront/wrangler.toml or workers/admin/wrangler.toml`);
  return limit;
};

/** Windows are aligned to the clock: start a burst early enough in one that it cannot straddle two. */
async function awayFromWindowEdge(seconds: number): Promise<void> {
  const into = (Date.now() / 1000) % RATE_LIMIT_PERIOD_SECONDS;
  if (into + seconds > RATE_LIMIT_PERIOD_SECONDS) await new Promise((r) => setTimeout(r, (RATE_LIMIT_PERIOD_SECONDS - into + 0.2) * 1000));
}

/** 429 problem+json with a Retry-After of at most `maxWait` s (an edge window, or the sign-in throttle's 15 min). */
function expectTooMany(reply: Reply, maxWait = RATE_LIMIT_PERIOD_SECONDS): void {
  expect(reply.status).toBe(429);
  expect(reply.type).toBe("application/problem+json");
  expect(reply.body).toMatchObject({ status: 429, title: "Too Many Requests" });
  const wait = Number(reply.headers.get("retry-after"));
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(maxWait);
}

let claimerToken: Promise<string> | undefined;
/** A signed-in shopper (registered from an address of its own) who tries to claim orders. */
const claimer = (): Promise<string> => {
  claimerToken ??= call("POST", "/v1/auth/register", {
    ip: newClient(),
    body: { email: `claimer-${crypto.randomUUID().slice(0, 8)}@example.com`, password: "correct horse battery", name: "C" },
  }).then((r) => String(r.body.accessToken));
  return claimerToken;
};

describe("edge limits per client", () => {
  it("are all per 60 s, as the Retry-After arithmetic assumes", () => {
    expect(limits.size).toBeGreaterThanOrEqual(5);
    for (const limit of limits.values()) expect([limit.name, limit.simple.period]).toEqual([limit.name, RATE_LIMIT_PERIOD_SECONDS]);
  });

  const sku = async () => (await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0")).sku;
  const cases: [string, string, (ip: string, i: number) => Promise<Reply>][] = [
    ["cart creation", "LIMIT_CART_CREATE", (ip) => call("POST", "/v1/carts", { ip })],
    [
      "registration",
      "LIMIT_REGISTER",
      (ip, i) =>
        call("POST", "/v1/auth/register", {
          ip,
          body: { email: `limit-${ip}-${i}@example.com`, password: "correct horse battery", name: "L" },
        }),
    ],
    [
      "sign-in",
      "LIMIT_SIGN_IN",
      (ip, i) => call("POST", "/v1/auth/login", { ip, body: { email: `nobody-${i}@example.com`, password: "wrong wrong wrong" } }),
    ],
    ["free-text search", "LIMIT_SEARCH", (ip, i) => call("GET", `/v1/products?q=word${i}`, { ip })],
    // A quote asks the cart, the catalog and the pricing rules: the limit counts before any of it, found or not.
    ["checkout quotes", "LIMIT_QUOTE", (ip, i) => call("GET", `/v1/checkout/quote?cartId=crt_nothing${i}`, { ip })],
    [
      "order claims",
      "LIMIT_ORDER_CLAIM",
      async (ip, i) =>
        call("POST", `/v1/orders/ord_nothing${i}/claim`, { ip, token: await claimer(), headers: { "x-order-token": `guess-${i}` } }),
    ],
  ];
  for (const [what, binding, request] of cases) {
    it(`${what}: the limit's worth goes through, the next is 429 with Retry-After, another client is unaffected`, async () => {
      const limit = limitOf(binding);
      await awayFromWindowEdge(15);
      const ip = newClient();
      // Sign-ins of unknown accounts meet identity's own throttle (30 per client) before this limit would.
      const replies: Reply[] = [];
      for (let i = 0; i < limit; i++) replies.push(await request(ip, i));
      expect(replies.filter((r) => r.status === 429 && r.body.detail?.toString().includes("from your address"))).toEqual([]);
      expectTooMany(await request(ip, limit));
      expect((await request(newClient(), limit + 1)).status).not.toBe(429);
    });
  }

  it("cart changes: the limit's worth goes through, then 429; browsing without a search is not limited", async () => {
    const limit = limitOf("LIMIT_CART_WRITE");
    const target = await sku();
    await awayFromWindowEdge(20);
    const ip = newClient();
    const cart = await call("POST", "/v1/carts", { ip });
    const token = String(cart.body.token);
    const add = () =>
      call("POST", `/v1/carts/${cart.body.id}/items`, { ip, headers: { "x-cart-token": token }, body: { sku: target, quantity: 1 } });
    const set = () =>
      call("PATCH", `/v1/carts/${cart.body.id}/items/${encodeURIComponent(target)}`, {
        ip,
        headers: { "x-cart-token": token },
        body: { quantity: 1 },
      });
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await (i % 2 === 0 ? add() : set())).status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expectTooMany(await add());
    // Reads are not what the limit counts: the cart and the catalog still answer this client.
    expect((await call("GET", `/v1/carts/${cart.body.id}`, { ip, headers: { "x-cart-token": token } })).status).toBe(200);
    for (let i = 0; i < limitOf("LIMIT_SEARCH") + 5; i += 25) expect((await call("GET", "/v1/products?limit=1", { ip })).status).toBe(200);
  });
});

describe("provider webhooks", () => {
  const stripe = (ip: string, i: number) =>
    call("POST", "/v1/webhooks/payments/stripe", { ip, body: { id: `evt_${i}`, type: "charge.succeeded" } });
  const carrier = (ip: string, i: number) =>
    call("POST", "/v1/webhooks/carrier", { ip, body: { id: `evt-${i}`, carrier: "UPS", trackingNumber: "1Z0", status: "delivered" } });

  it("an unsigned delivery is refused before its body is read: 401 even when it is not JSON", async () => {
    for (const [path, why] of [
      ["/v1/webhooks/payments/stripe", "the signature header is missing"],
      ["/v1/webhooks/payments/paypal", "the PayPal transmission headers are missing"],
      ["/v1/webhooks/carrier", "the signature header is missing"],
    ]) {
      const res = await fetch(new URL(String(path), platform.url), {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": newClient() },
        body: "{ not json",
      });
      expect([path, res.status]).toEqual([path, 401]);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(((await res.json()) as { detail: string }).detail).toContain(`webhook refused: ${why}`);
    }
    // A signature that is not even of the scheme's shape is refused the same way.
    const odd = await call("POST", "/v1/webhooks/carrier", {
      ip: newClient(),
      headers: { "x-carrier-signature": "sha256=abc" },
      body: { id: "evt-odd", carrier: "UPS", trackingNumber: "1Z0", status: "delivered" },
    });
    expect(odd.status).toBe(401);
  });

  it("count per client address, payments and carrier together: generous for a provider, then 429; another address passes", async () => {
    const limit = limitOf("LIMIT_WEBHOOKS");
    // A provider calls from a handful of addresses; each may deliver several events a second.
    expect(limit).toBeGreaterThanOrEqual(300);
    await awayFromWindowEdge(40);
    const ip = newClient();
    const statuses = new Map<number, number>();
    for (let i = 0; i < limit; i++) {
      const status = (await (i % 2 === 0 ? stripe(ip, i) : carrier(ip, i))).status;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect([...statuses.keys()]).toEqual([401]);
    expectTooMany(await stripe(ip, limit));
    expectTooMany(await carrier(ip, limit + 1));
    expect((await stripe(newClient(), limit + 2)).status).toBe(401);
    expect((await carrier(newClient(), limit + 3)).status).toBe(401);
  });
});

describe("merchant API keys from strangers", () => {
  // Each ApiKeyMeter object is a SQLite file of its own under the platform's state folder.
  const meters = (): number => {
    const root = join(state.dir, "v3", "do");
    if (!existsSync(root)) return 0;
    return readdirSync(root)
      .filter((d) => d.includes("ApiKeyMeter"))
      .flatMap((d) => readdirSync(join(root, d)))
      .filter((f) => f.endsWith(".sqlite")).length;
  };
  const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
  const b64 = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
  const products = (key: string, ip: string) => request(platform.adminUrl, "GET", "/admin/v1/products", { ip, token: key });

  it("a random or forged ek_ key is 401 and makes no Durable Object; a real key makes exactly its own", async () => {
    const ownerToken = await tokenOf(platform, owner("northwind"));
    const made = await request(platform.adminUrl, "POST", "/admin/v1/api-keys", {
      token: ownerToken,
      body: { name: "Counted", scope: "read" },
    });
    expect(made.status).toBe(201);
    const real = String(made.body.key);
    expect((await products(real, newClient())).status).toBe(200);
    const before = meters();
    expect(before).toBeGreaterThanOrEqual(1);

    // Shaped like keys (the old shape, the real key's shape with another id, another secret, or a made-up tag).
    const forged = [
      ...Array.from({ length: 8 }, () => `ek_${hex(8)}_${b64(32)}`),
      ...Array.from({ length: 8 }, () => real.replace(/^ek_[a-f0-9]{16}/, `ek_${hex(8)}`)),
      ...Array.from({ length: 8 }, () => `${real.slice(0, -43)}${b64(32)}`),
      ...Array.from({ length: 8 }, () => `ek_${hex(8)}_${hex(12)}_${b64(32)}`),
    ];
    for (const key of forged) {
      const refused = await products(key, newClient());
      expect([key, refused.status]).toEqual([key, 401]);
      expect(refused.type).toContain("application/problem+json");
    }
    expect(meters()).toBe(before);

    // A second real key: one more object, so the count above would have seen the forged ones.
    const second = await request(platform.adminUrl, "POST", "/admin/v1/api-keys", {
      token: ownerToken,
      body: { name: "Two", scope: "read" },
    });
    expect((await products(String(second.body.key), newClient())).status).toBe(200);
    expect(meters()).toBe(before + 1);
  });

  it("failed key attempts are limited per client: 429 with Retry-After, another client still gets its 401", async () => {
    const limit = limitOf("LIMIT_API_KEY_FAILURES");
    await awayFromWindowEdge(15);
    const ip = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await products(`ek_${hex(8)}_${b64(32)}`, ip)).status);
    expect(statuses.filter((s) => s !== 401)).toEqual([]);
    expectTooMany(await products(`ek_${hex(8)}_${b64(32)}`, ip));
    expect((await products(`ek_${hex(8)}_${b64(32)}`, newClient())).status).toBe(401);
  });
});

const SIGN_IN_WINDOW_SECONDS = 900;
describe("sign-in guesses", () => {
  it("60 concurrent wrong guesses for one account: at most the limit are checked, and the owner still signs in elsewhere", async () => {
    const email = `victim-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const password = "correct horse battery";
    expect((await call("POST", "/v1/auth/register", { ip: newClient(), body: { email, password, name: "Victim" } })).status).toBe(201);
    const attacker = newClient();
    const guesses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => call("POST", "/v1/auth/login", { ip: attacker, body: { email, password: `wrong guess ${i}` } })),
    );
    const checked = guesses.filter((g) => g.status === 401).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(checked).toBeGreaterThan(0);
    for (const refused of guesses.filter((g) => g.status !== 401)) expectTooMany(refused, SIGN_IN_WINDOW_SECONDS);
    // Even the right password is refused from the attacker's address now…
    expectTooMany(await call("POST", "/v1/auth/login", { ip: attacker, body: { email, password } }), SIGN_IN_WINDOW_SECONDS);
    // …but the owner, from their own address, signs in.
    const owner = await call("POST", "/v1/auth/login", { ip: newClient(), body: { email, password } });
    expect(owner.status).toBe(200);
    expect(owner.body.accessToken).toEqual(expect.any(String));
  });

  it("counts an IPv6 client by its /64: rotating addresses inside it buys no more guesses", async () => {
    const email = `v6-${crypto.randomUUID().slice(0, 8)}@example.com`;
    expect(
      (await call("POST", "/v1/auth/register", { ip: newClient(), body: { email, password: "correct horse battery", name: "Six" } }))
        .status,
    ).toBe(201);
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) {
      statuses.push(
        (await call("POST", "/v1/auth/login", { ip: `2001:db8:42:7::${i.toString(16)}`, body: { email, password: "wrong wrong wrong" } }))
          .status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(
      (await call("POST", "/v1/auth/login", { ip: "2001:db8:42:8::1", body: { email, password: "correct horse battery" } })).status,
    ).toBe(200);
  });
});

describe("flash-sale stock", () => {
  it("is capped per shopper across carts, and re-setting a line never extends its hold", async () => {
    const f = await pickSku(platform, "v.available >= 10 AND p.flash_sale = 1");
    const ip = newClient();
    const open = async (from: string) => {
      const cart = await call("POST", "/v1/carts", { ip: from });
      const headers = { "x-cart-token": String(cart.body.token) };
      return {
        add: (quantity: number) => call("POST", `/v1/carts/${cart.body.id}/items`, { ip: from, headers, body: { sku: f.sku, quantity } }),
        set: (quantity: number) =>
          call("PATCH", `/v1/carts/${cart.body.id}/items/${encodeURIComponent(f.sku)}`, { ip: from, headers, body: { quantity } }),
      };
    };
    const first = await open(ip);
    const added = await first.add(2);
    expect(added.status).toBe(200);
    const heldUntil = (r: Reply) => (r.body.items as { heldUntil?: string }[])[0]?.heldUntil ?? "";
    const firstExpiry = heldUntil(added);
    expect(firstExpiry).not.toBe("");

    const over = await first.add(1);
    expect(over).toMatchObject({ status: 409, body: { limit: 2, sku: f.sku } });
    // A second cart from the same address is the same shopper.
    expect((await (await open(ip)).add(1)).status).toBe(409);
    // Re-setting the line swaps its hold for one that ends no later than the first.
    await new Promise((r) => setTimeout(r, 1100));
    const reset = await first.set(1);
    expect(reset.status).toBe(200);
    expect(Date.parse(heldUntil(reset))).toBeLessThanOrEqual(Date.parse(firstExpiry));
    expect(Date.parse(heldUntil(await first.set(2)))).toBeLessThanOrEqual(Date.parse(firstExpiry));
    // Another shopper has a share of their own.
    expect((await (await open(newClient())).add(2)).status).toBe(200);
  });
});

describe("erasing an account", () => {
  it("deletes the shopper's cart and gives its held stock back", async () => {
    const ip = newClient();
    const f = await pickSku(platform, "v.available >= 10 AND p.flash_sale = 1");
    const stock = async () =>
      ((await call("GET", `/v1/products/${f.slug}`, { ip })).body.variants as { sku: string; available: number }[]).find(
        (v) => v.sku === f.sku,
      )?.available ?? -1;
    const session = await call("POST", "/v1/auth/register", {
      ip,
      body: { email: `erase-${crypto.randomUUID().slice(0, 8)}@example.com`, password: "correct horse battery", name: "Gone" },
    });
    const auth = { authorization: `Bearer ${session.body.accessToken}` };
    const cart = await call("POST", "/v1/carts", { ip, headers: auth });
    const before = await stock();
    expect((await call("POST", `/v1/carts/${cart.body.id}/items`, { ip, headers: auth, body: { sku: f.sku, quantity: 2 } })).status).toBe(
      200,
    );
    expect(await stock()).toBe(before - 2);

    expect((await call("DELETE", "/v1/me", { ip, headers: auth })).status).toBe(204);
    // identity.user_erased reaches the durable-objects Worker over the queue; the access token still
    // verifies at the edge until it expires, so the cart can be asked for: it is gone.
    const gone = await eventually(
      () => call("GET", `/v1/carts/${cart.body.id}`, { ip, headers: auth }),
      (r) => r.status === 404,
    );
    expect(gone.status).toBe(404);
    expect(await stock()).toBe(before);
  });
});

describe("cross-origin calls", () => {
  it("the merchant API allows no foreign origin by default; the shopper API allows the configured ones", async () => {
    const preflight = {
      origin: "https://evil.example",
      "access-control-request-method": "GET",
      "access-control-request-headers": "authorization",
    };
    const admin = await fetch(new URL("/admin/v1/products", platform.adminUrl), { method: "OPTIONS", headers: preflight });
    expect(admin.headers.get("access-control-allow-origin")).toBeNull();
    const adminGet = await fetch(new URL("/admin/v1/products", platform.adminUrl), { headers: { origin: "https://evil.example" } });
    expect(adminGet.headers.get("access-control-allow-origin")).toBeNull();
    const shop = await fetch(new URL("/v1/products", platform.url), { method: "OPTIONS", headers: preflight });
    expect(shop.headers.get("access-control-allow-origin")).toBe("https://evil.example");
  });
});
