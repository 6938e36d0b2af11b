import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readImageHeader } from "#shared/image-header.ts";
import { encodePng } from "../../workers/catalog/seed/png.ts";
import {
  ADOBE_SEGMENT,
  BASELINE_JPEG,
  concat,
  contains,
  ICC_SEGMENT,
  jpegWithMetadata,
  SECRET,
} from "../../workers/shared/test/image-fixtures.ts";
import { earlyInClockMinute, owner, PLATFORM_ADMIN, tokenOf, waitFor } from "./after-sale-client.ts";
import { checkoutBody, type Json, shopper, stockOf } from "./checkout-client.ts";
import { type CallOptions, call, type Reply } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";
import { webClient } from "./web-client.ts";

// The merchant API through the real runtime: products, images, stock, orders, staff and API keys, and the
// isolation between merchants (another merchant's anything is a 404, never a 403).
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let northwind: string;
let trailhead: string;
let shopperToken: string;

const admin = (method: string, path: string, token: string | undefined, options: CallOptions = {}): Promise<Reply> =>
  call(platform.adminUrl, method, path, { ...(token === undefined ? {} : { token }), ...options });
const shop = (method: string, path: string, options: CallOptions = {}) => call(platform.url, method, path, options);

let skuCounter = 0;
const sku = (prefix = "T") => `${prefix}-${Date.now().toString(36)}-${++skuCounter}`.toUpperCase();
const product = (overrides: Json = {}): Json => ({
  title: "Field Test Lantern",
  description: "A rechargeable lantern for the field test.",
  brand: "Northwind Labs",
  category: "audio",
  status: "active",
  attributes: { battery: "4000 mAh", colour: "Amber" },
  // The demo shop sells in USD (checkout's shipping table is keyed by currency).
  variants: [{ sku: sku(), title: "Standard", price: { amount: 4599, currency: "USD" } }],
  ...overrides,
});

async function upload(token: string, productId: string, bytes: Uint8Array, contentType = "application/octet-stream"): Promise<Reply> {
  const res = await fetch(
    new URL(`/admin/v1/products/${productId}/images?alt=${encodeURIComponent("Lantern, front")}`, platform.adminUrl),
    {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": contentType, "cf-connecting-ip": "203.0.113.9" },
      body: new Blob([bytes as Uint8Array<ArrayBuffer>]),
    },
  );
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), headers: res.headers, body: text ? JSON.parse(text) : {} };
}

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 120 });
  [northwind, trailhead] = await Promise.all([tokenOf(platform, owner("northwind")), tokenOf(platform, owner("trailhead"))]);
  const registered = await shop("POST", "/v1/auth/register", {
    body: { email: `buyer-${Date.now()}@example.com`, password: "a long shopper password", name: "Buyer" },
  });
  shopperToken = String(registered.body.accessToken);
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

describe("products", () => {
  it("creates, shows shoppers within the read cache's staleness, edits, archives", async () => {
    const created = await admin("POST", "/admin/v1/products", northwind, { body: product() });
    expect(created.status).toBe(201);
    const { id, slug } = created.body as { id: string; slug: string };
    expect(slug).toMatch(/^field-test-lantern/);
    expect(created.body).toMatchObject({ merchantId: "mer_northwind", status: "active", attributes: { battery: "4000 mAh" } });

    // Shoppers see it within 10 s (3 s fresh + 3 s stale in the storefront, max-age 4 downstream).
    const seen = await waitFor(
      () => shop("GET", `/v1/products/${slug}`),
      (r) => r.status === 200,
      10_000,
    );
    expect(seen.body).toMatchObject({ title: "Field Test Lantern", merchantId: "mer_northwind" });

    const edited = await admin("PATCH", `/admin/v1/products/${id}`, northwind, { body: { title: "Field Test Lantern II" } });
    expect(edited.status).toBe(200);
    const renamed = await waitFor(
      () => shop("GET", `/v1/products/${slug}`),
      (r) => r.body.title === "Field Test Lantern II",
      10_000,
    );
    expect(renamed.body.title).toBe("Field Test Lantern II");

    const archived = await admin("DELETE", `/admin/v1/products/${id}`, northwind);
    expect(archived.body).toMatchObject({ status: "archived" });
    const gone = await waitFor(
      () => shop("GET", `/v1/products/${slug}`),
      (r) => r.status === 404,
      10_000,
    );
    expect(gone.status).toBe(404);
    // The merchant still has it, under archived.
    const listed = await admin("GET", "/admin/v1/products?status=archived", northwind);
    expect((listed.body.items as { id: string }[]).map((p) => p.id)).toContain(id);
  });

  it("refuses bad input with 400 naming the field, and a SKU another product has with 409", async () => {
    const cases: [Json, string][] = [
      [{ ...product(), title: "" }, "title"],
      [product({ variants: [{ sku: sku(), title: "A", price: { amount: -1, currency: "EUR" } }] }), "variants.0.price.amount"],
      [product({ variants: [{ sku: sku(), title: "A", price: { amount: 100, currency: "EUO" } }] }), "variants.0.price.currency"],
      [product({ variants: [] }), "variants"],
      [product({ category: "no-such-category" }), "category"],
      [(({ brand: _b, ...rest }) => rest)(product()), "brand"],
    ];
    for (const [body, field] of cases) {
      const reply = await admin("POST", "/admin/v1/products", northwind, { body });
      expect(reply.status, JSON.stringify(reply.body)).toBe(400);
      expect((reply.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    }
    const taken = sku();
    const first = await admin("POST", "/admin/v1/products", northwind, {
      body: product({ variants: [{ sku: taken, title: "A", price: { amount: 100, currency: "EUR" } }] }),
    });
    expect(first.status).toBe(201);
    const again = await admin("POST", "/admin/v1/products", trailhead, {
      body: product({ variants: [{ sku: taken, title: "B", price: { amount: 100, currency: "EUR" } }] }),
    });
    expect(again.status).toBe(409);
  });
});

describe("images", () => {
  it("stores an upload under its content hash with the size read from the file; 415 for a non-image, 413 for too large", async () => {
    const created = await admin("POST", "/admin/v1/products", northwind, { body: product() });
    const id = String(created.body.id);
    const png = await encodePng(37, 23, (x, y) => [x * 6, y * 10, 120]);
    const up = await upload(northwind, id, png, "image/jpeg"); // the declared type is ignored: the bytes decide
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const [image] = up.body.images as { key: string; url: string; width: number; height: number; contentType: string; alt: string }[];
    expect(image).toMatchObject({ width: 37, height: 23, contentType: "image/png", alt: "Lantern, front" });
    expect(image?.key).toMatch(/^[a-f0-9]{64}\.png$/);

    const served = await fetch(new URL(String(image?.url), platform.url));
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
    expect(served.headers.get("cache-control")).toContain("immutable");

    expect(
      (await upload(northwind, id, new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"), "image/svg+xml")).status,
    ).toBe(415);
    const big = new Uint8Array(5 * 1024 * 1024 + 10);
    big.set(png);
    expect((await upload(northwind, id, big, "image/png")).status).toBe(413);

    const removed = await admin("DELETE", `/admin/v1/products/${id}/images/${image?.key}`, northwind);
    expect(removed.status).toBe(200);
    expect(removed.body.images).toEqual([]);
  });
});

describe("images: privacy and size", () => {
  /** BASELINE_JPEG's frame header rewritten to declare another canvas (the file stays a few hundred bytes). */
  const declaring = (width: number, height: number): Uint8Array => {
    const bomb = new Uint8Array(BASELINE_JPEG);
    const sof = bomb.findIndex((b, i) => b === 0xff && bomb[i + 1] === 0xc0);
    new DataView(bomb.buffer).setUint16(sof + 5, height);
    new DataView(bomb.buffer).setUint16(sof + 7, width);
    return bomb;
  };

  it("stores a photo without its EXIF (GPS), XMP, IPTC or comments, pixels untouched, under the hash of what is stored", async () => {
    const created = await admin("POST", "/admin/v1/products", northwind, { body: product() });
    const id = String(created.body.id);
    const photo = jpegWithMetadata(BASELINE_JPEG);
    expect(contains(photo, "GPS") || contains(photo, "Exif")).toBe(true);
    const up = await upload(northwind, id, photo, "image/jpeg");
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const [image] = up.body.images as { key: string; url: string; width: number; height: number; contentType: string }[];
    expect(image).toMatchObject({ width: 16, height: 8, contentType: "image/jpeg" });

    const served = new Uint8Array(await (await fetch(new URL(String(image?.url), platform.url))).arrayBuffer());
    for (const gone of ["Exif", "GPS", "http://ns.adobe.com", "Photoshop", SECRET])
      expect([gone, contains(served, gone)]).toEqual([gone, false]);
    // Still the same picture: the same size, and every byte of its frame, tables and scan as uploaded.
    expect(readImageHeader(served)).toMatchObject({ type: "image/jpeg", width: 16, height: 8 });
    expect(served).toEqual(concat(BASELINE_JPEG.subarray(0, 2), ICC_SEGMENT, ADOBE_SEGMENT, BASELINE_JPEG.subarray(2)));
    expect(image?.key).toBe(`${createHash("sha256").update(served).digest("hex")}.jpg`);
  });

  it("refuses a canvas over 40 megapixels or 20,000 px a side, however small the file: 422 naming the bounds", async () => {
    const created = await admin("POST", "/admin/v1/products", northwind, { body: product() });
    const id = String(created.body.id);
    for (const [width, height] of [
      [8000, 6000],
      [1, 60000],
    ] as const) {
      const refused = await upload(northwind, id, declaring(width, height), "image/jpeg");
      expect([width, height, refused.status]).toEqual([width, height, 422]);
      expect(refused.type).toContain("application/problem+json");
      expect(String(refused.body.detail)).toContain("megapixels");
    }
    expect((await upload(northwind, id, declaring(8000, 5000), "image/jpeg")).status).toBe(201); // exactly 40
    expect((await admin("GET", `/admin/v1/products/${id}`, northwind)).body.images).toMatchObject([{ width: 8000, height: 5000 }]);
  });
});

describe("stock", () => {
  it("adjusts with a reason, shows live on the product page, and refuses going below what is held", async () => {
    const body = product({ flashSale: true });
    const created = await admin("POST", "/admin/v1/products", northwind, { body });
    const { slug } = created.body as { slug: string };
    const name = String((body.variants as { sku: string }[])[0]?.sku);
    const up = await admin("POST", `/admin/v1/inventory/${name}/adjustments`, northwind, { body: { delta: 5, reason: "opening count" } });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body).toMatchObject({ onHand: 5, held: 0, available: 5 });
    const page = await waitFor(
      () => shop("GET", `/v1/products/${slug}`),
      (r) => r.status === 200,
      10_000,
    );
    expect((page.body.variants as { available: number }[])[0]?.available).toBe(5);

    // A flash-sale product holds at add-to-cart: two held, so on hand may not drop below 2.
    const buyer = shopper(platform, "198.51.100.77");
    await buyer.cart([{ sku: name, quantity: 2 }]);
    expect(await stockOf(platform, name)).toMatchObject({ onHand: 5, held: 2 });
    const tooMuch = await admin("POST", `/admin/v1/inventory/${name}/adjustments`, northwind, { body: { delta: -4, reason: "shrinkage" } });
    expect(tooMuch.status).toBe(409);
    const fine = await admin("POST", `/admin/v1/inventory/${name}/adjustments`, northwind, { body: { delta: -3, reason: "shrinkage" } });
    expect(fine.body).toMatchObject({ onHand: 2, held: 2, available: 0 });
    const movements = (await admin("GET", `/admin/v1/inventory/${name}`, northwind)).body.movements as { reason: string }[];
    expect(movements.map((m) => m.reason)).toEqual(expect.arrayContaining(["opening count", "shrinkage"]));
    expect((await admin("POST", `/admin/v1/inventory/${name}/adjustments`, northwind, { body: { delta: 0, reason: "" } })).status).toBe(
      400,
    );
  });
});

describe("orders", () => {
  it("shows each merchant its own part, filtered by status and day, and ships it", async () => {
    const body = product();
    const created = await admin("POST", "/admin/v1/products", northwind, { body });
    const name = String((body.variants as { sku: string }[])[0]?.sku);
    await admin("POST", `/admin/v1/inventory/${name}/adjustments`, northwind, { body: { delta: 10, reason: "delivery" } });
    await waitFor(
      () => shop("GET", `/v1/products/${String(created.body.slug)}`),
      (r) => r.status === 200,
      10_000,
    );
    const buyer = shopper(platform, "198.51.100.78");
    const cart = await buyer.cart([{ sku: name, quantity: 1 }]);
    const placed = await buyer.checkout(cart, `key-${crypto.randomUUID()}`, checkoutBody(cart.id));
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const orderId = String((placed.body.order as Json).id);

    const today = new Date().toISOString().slice(0, 10);
    const listed = await waitFor(
      () => admin("GET", `/admin/v1/orders?from=${today}&to=${today}`, northwind),
      (r) => (r.body.items as { id: string; shipments: unknown[] }[]).some((o) => o.id === orderId && o.shipments.length > 0),
    );
    const mine = (listed.body.items as Json[]).find((o) => o.id === orderId) as {
      lines: { sku: string }[];
      totals: { total: { amount: number } };
    };
    expect(mine.lines.map((l) => l.sku)).toEqual([name]);
    expect((await admin("GET", "/admin/v1/orders?to=2000-01-01", northwind)).body.items).toEqual([]);
    expect((await admin("GET", "/admin/v1/orders?from=2026-02-30", northwind)).status).toBe(400);

    // Trailhead has no part in it: not in its list, and a 404 for the order itself.
    const theirs = await admin("GET", "/admin/v1/orders", trailhead);
    expect((theirs.body.items as { id: string }[]).map((o) => o.id)).not.toContain(orderId);
    expect((await admin("GET", `/admin/v1/orders/${orderId}`, trailhead)).status).toBe(404);
    expect(
      (await admin("POST", `/admin/v1/orders/${orderId}/shipments`, trailhead, { body: { carrier: "DHL", trackingNumber: "X1" } })).status,
    ).toBe(404);

    const shipped = await admin("POST", `/admin/v1/orders/${orderId}/shipments`, northwind, {
      body: { carrier: "DHL", trackingNumber: "JD0001" },
    });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);
    const after = await waitFor(
      () => admin("GET", `/admin/v1/orders/${orderId}`, northwind),
      (r) => (r.body.shipments as { status: string }[] | undefined)?.[0]?.status === "shipped",
    );
    expect(after.body.shipments).toMatchObject([{ status: "shipped", carrier: "DHL", trackingNumber: "JD0001" }]);
  });
});

describe("isolation", () => {
  it("another merchant's product, images and stock are 404, never 403; a shopper is 403 everywhere", async () => {
    const body = product();
    const created = await admin("POST", "/admin/v1/products", northwind, { body });
    const id = String(created.body.id);
    const name = String((body.variants as { sku: string }[])[0]?.sku);
    const png = await encodePng(4, 4, () => [0, 0, 0]);
    const image = (await upload(northwind, id, png)).body.images as { key: string }[];

    const probes: [string, string, Json?][] = [
      ["GET", `/admin/v1/products/${id}`],
      ["PATCH", `/admin/v1/products/${id}`, { title: "Hijacked" }],
      ["DELETE", `/admin/v1/products/${id}`],
      ["PATCH", `/admin/v1/products/${id}/images/${image[0]?.key}`, { alt: "x" }],
      ["DELETE", `/admin/v1/products/${id}/images/${image[0]?.key}`],
      ["GET", `/admin/v1/inventory/${name}`],
      ["POST", `/admin/v1/inventory/${name}/adjustments`, { delta: 1, reason: "x" }],
    ];
    for (const [method, path, payload] of probes) {
      const reply = await admin(method, path, trailhead, payload === undefined ? {} : { body: payload });
      expect(reply.status, `${method} ${path}`).toBe(404);
    }
    expect((await upload(trailhead, id, png)).status).toBe(404);
    const list = await admin("GET", "/admin/v1/products?limit=100", trailhead);
    expect((list.body.items as { merchantId: string }[]).every((p) => p.merchantId === "mer_trailhead")).toBe(true);
    // Nothing changed.
    expect((await admin("GET", `/admin/v1/products/${id}`, northwind)).body).toMatchObject({
      status: "active",
      title: "Field Test Lantern",
    });

    for (const path of [
      "/admin/v1/products",
      "/admin/v1/orders",
      "/admin/v1/staff",
      "/admin/v1/api-keys",
      `/admin/v1/inventory/${name}`,
      "/admin/v1/returns",
    ]) {
      expect((await admin("GET", path, shopperToken)).status, path).toBe(403);
    }
  });
});

describe("staff", () => {
  it("the owner invites staff; staff work the shop but cannot manage staff or keys; removal ends their sessions", async () => {
    const email = `packer-${Date.now()}@northwind.example`;
    const invited = await admin("POST", "/admin/v1/staff", northwind, { body: { email, role: "merchant_staff" } });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect(invited.body).toMatchObject({ email, role: "merchant_staff", status: "invited" });
    // Not signed in until accepted.
    expect((await shop("POST", "/v1/auth/login", { body: { email, password: "a long staff password" } })).status).toBe(401);
    const accepted = await admin("POST", "/admin/v1/invitations/accept", undefined, {
      body: { token: invited.body.inviteToken, password: "a long staff password", name: "Pat Packer" },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const staff = String(accepted.body.accessToken);
    expect(
      (
        await admin("POST", "/admin/v1/invitations/accept", undefined, {
          body: { token: invited.body.inviteToken, password: "another long password", name: "X" },
        })
      ).status,
    ).toBe(404);

    expect((await admin("GET", "/admin/v1/products", staff)).status).toBe(200);
    expect((await admin("POST", "/admin/v1/products", staff, { body: product() })).status).toBe(201);
    expect((await admin("GET", "/admin/v1/staff", staff)).status).toBe(403);
    expect((await admin("POST", "/admin/v1/staff", staff, { body: { email: "friend@example.com", role: "merchant_owner" } })).status).toBe(
      403,
    );
    expect((await admin("POST", "/admin/v1/api-keys", staff, { body: { name: "mine", scope: "write" } })).status).toBe(403);

    const members = (await admin("GET", "/admin/v1/staff", northwind)).body.items as { id: string; email: string; status: string }[];
    const member = members.find((m) => m.email === email);
    expect(member?.status).toBe("active");
    // Another merchant's owner cannot touch them.
    expect((await admin("DELETE", `/admin/v1/staff/${member?.id}`, trailhead)).status).toBe(404);
    expect((await admin("DELETE", `/admin/v1/staff/${member?.id}`, northwind)).status).toBe(204);
    const session = await shop("POST", "/v1/auth/login", { body: { email, password: "a long staff password" } });
    expect(session.body).toMatchObject({ user: { role: "shopper", merchantId: null } });
  });

  it("a demoted or removed member loses their rights at the very next request, not when their token expires", async () => {
    const join = async (role: "merchant_owner" | "merchant_staff") => {
      const email = `member-${crypto.randomUUID().slice(0, 8)}@northwind.example`;
      const invited = await admin("POST", "/admin/v1/staff", northwind, { body: { email, role } });
      expect(invited.status, JSON.stringify(invited.body)).toBe(201);
      const accepted = await admin("POST", "/admin/v1/invitations/accept", undefined, {
        body: { token: invited.body.inviteToken, password: "a long member password", name: "Member" },
      });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      return { id: String(invited.body.id), email, token: String(accepted.body.accessToken), refresh: String(accepted.body.refreshToken) };
    };
    const expectRefused = (reply: Reply) => {
      expect(reply.status, String(reply.body.detail)).toBe(401);
      expect(reply.type).toBe("application/problem+json");
      expect(reply.headers.get("www-authenticate")).toContain("invalid_token");
    };

    // An owner made staff: the same, unexpired token no longer manages staff or keys.
    const second = await join("merchant_owner");
    expect((await admin("GET", "/admin/v1/staff", second.token)).status).toBe(200);
    const demoted = await admin("PATCH", `/admin/v1/staff/${second.id}`, northwind, { body: { role: "merchant_staff" } });
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);
    expectRefused(await admin("GET", "/admin/v1/staff", second.token));
    expectRefused(await admin("POST", "/admin/v1/api-keys", second.token, { body: { name: "mine", scope: "write" } }));
    // Refreshing gives the role they have now: staff's rights, no more.
    const renewed = await shop("POST", "/v1/auth/refresh", { body: { refreshToken: second.refresh } });
    expect(renewed.status).toBe(200);
    expect(renewed.body.user).toMatchObject({ role: "merchant_staff" });
    expect((await admin("GET", "/admin/v1/products", String(renewed.body.accessToken))).status).toBe(200);
    expect((await admin("GET", "/admin/v1/staff", String(renewed.body.accessToken))).status).toBe(403);

    // A member removed: their token, their refresh token and their dashboard session all stop at once.
    const packer = await join("merchant_staff");
    const browser = webClient(platform.adminUrl, { ip: "203.0.113.41", csrfCookie: "ec_admin_csrf" });
    await browser.get("/admin/sign-in");
    expect((await browser.post("/admin/sign-in", { email: packer.email, password: "a long member password" })).location).toBe("/admin");
    expect((await browser.get("/admin/products")).status).toBe(200);
    expect((await admin("GET", "/admin/v1/products", packer.token)).status).toBe(200);
    expect((await admin("DELETE", `/admin/v1/staff/${packer.id}`, northwind)).status).toBe(204);
    expectRefused(await admin("GET", "/admin/v1/products", packer.token));
    expectRefused(await admin("POST", "/admin/v1/products", packer.token, { body: product() }));
    expect((await shop("POST", "/v1/auth/refresh", { body: { refreshToken: packer.refresh } })).status).toBe(401);
    const page = await browser.get("/admin/products");
    expect([page.status, page.location]).toEqual([303, "/admin/sign-in"]);
  });

  it("a platform admin opens a merchant; a merchant owner cannot", async () => {
    const platformAdmin = await tokenOf(platform, PLATFORM_ADMIN);
    const opened = await admin("POST", "/admin/v1/merchants", platformAdmin, {
      body: { name: "Harbour Tea Co.", ownerEmail: `owner-${Date.now()}@harbour.example` },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect(String(opened.body.id)).toMatch(/^mer_/);
    expect((await admin("POST", "/admin/v1/merchants", northwind, { body: { name: "Mine", ownerEmail: "x@example.com" } })).status).toBe(
      403,
    );
  });
});

describe("API keys", () => {
  it("shown once, stored hashed, scoped, quota'd per key with 429 + Retry-After, counted per day, revoked at once", async () => {
    await earlyInClockMinute(); // so the five requests below share one quota window
    const readKey = await admin("POST", "/admin/v1/api-keys", northwind, {
      body: { name: "Warehouse sync", scope: "read", quotaPerMinute: 4 },
    });
    expect(readKey.status, JSON.stringify(readKey.body)).toBe(201);
    const key = String(readKey.body.key);
    expect(key).toMatch(/^ek_/);
    const operations = await platform.miniflare.getD1Database("DB", "admin");
    const stored = await operations.prepare("SELECT * FROM api_keys WHERE id = ?").bind(readKey.body.id).first();
    expect(JSON.stringify(stored)).not.toContain(key.slice(20));

    expect((await admin("GET", "/admin/v1/products", key)).status).toBe(200);
    expect((await admin("POST", "/admin/v1/products", key, { body: product() })).status).toBe(403);
    expect((await admin("GET", "/admin/v1/api-keys", key)).status).toBe(403);
    const third = await admin("GET", "/admin/v1/products", key);
    expect(third.status).toBe(200);
    const over = await admin("GET", "/admin/v1/products", key);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);

    // Its own quota: another key of the same merchant is unaffected.
    const writeKey = await admin("POST", "/admin/v1/api-keys", northwind, { body: { name: "PIM", scope: "write" } });
    const writer = String(writeKey.body.key);
    const made = await admin("POST", "/admin/v1/products", writer, { body: product() });
    expect(made.status).toBe(201);
    expect(made.body.merchantId).toBe("mer_northwind");
    // Keys see only their merchant's records too.
    expect(
      (
        await admin(
          "GET",
          `/admin/v1/products/${made.body.id}`,
          String((await admin("POST", "/admin/v1/api-keys", trailhead, { body: { name: "T", scope: "read" } })).body.key),
        )
      ).status,
    ).toBe(404);

    const listed = (await admin("GET", "/admin/v1/api-keys", northwind)).body.items as {
      id: string;
      usage: { requests: number; refused: number }[];
      prefix: string;
    }[];
    const usage = listed.find((k) => k.id === readKey.body.id)?.usage[0];
    // Served: the two product lists and the keys list (refused by role after the key checked out); refused by the
    // key: the write and the one over quota.
    expect(usage).toMatchObject({ requests: 3, refused: 2 });
    expect(JSON.stringify(listed)).not.toContain(key);
    expect((await admin("GET", "/admin/v1/api-keys", trailhead)).body.items).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ id: readKey.body.id })]),
    );
    expect((await admin("DELETE", `/admin/v1/api-keys/${writeKey.body.id}`, trailhead)).status).toBe(404);

    expect((await admin("DELETE", `/admin/v1/api-keys/${writeKey.body.id}`, northwind)).status).toBe(204);
    expect((await admin("GET", "/admin/v1/products", writer)).status).toBe(401);
    expect((await admin("GET", "/admin/v1/products", `${writer.slice(0, -1)}A`)).status).toBe(401);
  });
});
