import { afterAll, beforeAll, expect, it } from "vitest";
import { client as cartClient, pickSku } from "./cart-client.ts";
import { api, uniqueEmail } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 200, vars: { identity: { LOGIN_MAX_ATTEMPTS_PER_CLIENT: "1000" } } });
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

type Line = { sku: string; quantity: number };

it("a signed-in shopper has one cart of their own, closed to guests and other shoppers", async () => {
  const shop = api(platform);
  const me = await shop.register(uniqueEmail("own-cart"));
  const token = String(me.body.accessToken);
  const first = await shop.shop("POST", "/v1/carts", { token });
  expect(first.status).toBe(201);
  expect(first.body.token).toBeNull();
  const again = await shop.shop("POST", "/v1/carts", { token });
  expect([again.status, again.body.id]).toEqual([200, first.body.id]);

  const a = await pickSku(platform, "v.available >= 10 AND p.flash_sale = 0");
  const added = await shop.shop("POST", `/v1/carts/${first.body.id}/items`, { token, body: { sku: a.sku, quantity: 2 } });
  expect(added.status).toBe(200);

  const other = await shop.register(uniqueEmail("other"));
  expect((await shop.shop("GET", `/v1/carts/${first.body.id}`, { token: String(other.body.accessToken) })).status).toBe(404);
  expect((await shop.shop("GET", `/v1/carts/${first.body.id}`)).status).toBe(404);
  expect((await shop.shop("GET", `/v1/carts/${first.body.id}`, { token: "not.a.jwt" })).status).toBe(401);
});

it("merges the guest cart into the shopper's cart at sign-in: quantities add up, capped by stock", async () => {
  const shop = api(platform);
  const carts = cartClient(platform);
  const email = uniqueEmail("merge");
  const registered = await shop.register(email);
  const token = String(registered.body.accessToken);
  const own = await shop.shop("POST", "/v1/carts", { token });

  const plenty = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0");
  const scarce = await pickSku(platform, "v.available BETWEEN 3 AND 20 AND p.flash_sale = 0");
  await shop.shop("POST", `/v1/carts/${own.body.id}/items`, { token, body: { sku: plenty.sku, quantity: 2 } });
  await shop.shop("POST", `/v1/carts/${own.body.id}/items`, { token, body: { sku: scarce.sku, quantity: 2 } });

  // Signed out, the same person fills a guest cart.
  const guest = await carts.newCart();
  await carts.call("POST", `/v1/carts/${guest.id}/items`, { token: guest.token, body: { sku: plenty.sku, quantity: 3 } });
  await carts.call("POST", `/v1/carts/${guest.id}/items`, {
    token: guest.token,
    body: { sku: scarce.sku, quantity: scarce.available - 1 },
  });

  const login = await shop.shop("POST", "/v1/auth/login", {
    body: { email, password: "correct horse battery", cart: { id: guest.id, token: guest.token } },
  });
  expect(login.status).toBe(200);
  const merged = (login.body.cart as { id: string; items: Line[] }) ?? { id: "", items: [] };
  expect(merged.id).toBe(own.body.id);
  const quantity = (sku: string) => merged.items.find((l) => l.sku === sku)?.quantity;
  expect(quantity(plenty.sku)).toBe(5);
  expect(quantity(scarce.sku)).toBe(scarce.available);

  expect((await carts.call("GET", `/v1/carts/${guest.id}`, { token: guest.token })).status).toBe(404);
  const view = await shop.shop("GET", `/v1/carts/${own.body.id}`, { token: String(login.body.accessToken) });
  expect((view.body.items as Line[]).map((l) => [l.sku, l.quantity]).sort()).toEqual(
    [
      [plenty.sku, 5],
      [scarce.sku, scarce.available],
    ].sort(),
  );
});

it("signs in normally when the guest cart is gone or not the caller's", async () => {
  const shop = api(platform);
  const email = uniqueEmail("no-merge");
  await shop.register(email);
  const login = await shop.shop("POST", "/v1/auth/login", {
    body: { email, password: "correct horse battery", cart: { id: "crt_AAAAAAAAAAAAAAAAAAAAAA", token: "x" } },
  });
  expect(login.status).toBe(200);
  expect(login.body.cart).toMatchObject({ items: [] });
});
