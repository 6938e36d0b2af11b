import { afterEach, expect, it } from "vitest";
import type { Platform } from "../../scripts/platform.ts";
import { client, eventually, pickSku } from "./cart-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

// Short clocks so expiry happens within the test. Reading a cart counts as using it, so the probe is
// always the stock on the product page, never the cart itself.
let running: { platform: Platform; remove: () => void } | undefined;
afterEach(async () => {
  await running?.platform.dispose();
  running?.remove();
});

async function withClocks(flashHoldSeconds: number, cartIdleSeconds: number) {
  const state = freshStateDir();
  const platform = await boot(state.dir, {
    demoSize: 120,
    vars: { "durable-objects": { FLASH_HOLD_TTL_SECONDS: String(flashHoldSeconds), CART_IDLE_TTL_SECONDS: String(cartIdleSeconds) } },
  });
  running = { platform, remove: state.remove };
  const api = client(platform);
  const f = await pickSku(platform, "v.available >= 5 AND p.flash_sale = 1");
  return { api, f, before: await api.available(f.slug, f.sku) };
}

it("gives a flash-sale hold back when its TTL runs out, while the cart lives on", async () => {
  const { api, f, before } = await withClocks(2, 600);
  const cart = await api.newCart();
  await api.call("POST", `/v1/carts/${cart.id}/items`, { token: cart.token, body: { sku: f.sku, quantity: 1 } });
  expect(await api.available(f.slug, f.sku)).toBe(before - 1);
  expect(
    await eventually(
      () => api.available(f.slug, f.sku),
      (n) => n === before,
      8_000,
    ),
  ).toBe(before);
  const view = await api.call("GET", `/v1/carts/${cart.id}`, { token: cart.token });
  expect(view.status).toBe(200);
  expect(view.body.items).toEqual([expect.not.objectContaining({ heldUntil: expect.anything() })]);
});

it("drops an abandoned cart and frees what it held, before the hold's own TTL", async () => {
  const { api, f, before } = await withClocks(600, 2);
  const cart = await api.newCart();
  await api.call("POST", `/v1/carts/${cart.id}/items`, { token: cart.token, body: { sku: f.sku, quantity: 2 } });
  expect(await api.available(f.slug, f.sku)).toBe(before - 2);
  // The hold would last 10 minutes; only the cart's abandonment can give the units back this soon.
  expect(
    await eventually(
      () => api.available(f.slug, f.sku),
      (n) => n === before,
      10_000,
    ),
  ).toBe(before);
  const gone = await api.call("GET", `/v1/carts/${cart.id}`, { token: cart.token });
  expect(gone.status).toBe(404);
});
