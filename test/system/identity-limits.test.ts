import { generateKeyPairSync, randomBytes } from "node:crypto";
import { afterAll, afterEach, expect, it } from "vitest";
import type { Platform } from "../../scripts/platform.ts";
import { DEMO_PASSWORD, owner } from "./after-sale-client.ts";
import { api, devSigningKeys, uniqueEmail } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";
import { webClient } from "./web-client.ts";

const state = freshStateDir();
let platform: Platform | undefined;
afterEach(async () => {
  await platform?.dispose();
  platform = undefined;
});
afterAll(() => state.remove());

const start = async (vars: Record<string, string>) => {
  platform = await boot(state.dir, { demoSize: 10, vars: { identity: vars } });
  return { ...api(platform), shopUrl: platform.url, adminUrl: platform.adminUrl };
};

it("throttles failed sign-ins per client across accounts", async () => {
  const client = await start({ LOGIN_MAX_ATTEMPTS_PER_CLIENT: "3", LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: "100" });
  const stuffer = "203.0.113.5";
  for (let i = 0; i < 3; i++) expect((await client.login(uniqueEmail("ip"), "wrong wrong wrong", stuffer)).status).toBe(401);
  const blocked = await client.login(uniqueEmail("ip"), "wrong wrong wrong", stuffer);
  expect(blocked.status).toBe(429);
  expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
});

it("rotates signing keys: during the switch both keys are valid, after it only the new one", async () => {
  const [oldKey] = devSigningKeys();
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const newKey = { ...privateKey.export({ format: "jwk" }), kid: `rotated-${randomBytes(4).toString("hex")}`, alg: "ES256" };

  let client = await start({ LOGIN_MAX_ATTEMPTS_PER_CLIENT: "1000", JWT_SIGNING_KEYS: JSON.stringify([oldKey]) });
  const before = await client.register(uniqueEmail("rotation"));
  const oldToken = String(before.body.accessToken);
  expect(JSON.parse(Buffer.from(oldToken.split(".")[0] ?? "", "base64url").toString()).kid).toBe(oldKey?.kid);
  await platform?.dispose();

  // The switch: the new key signs, the old one still verifies.
  client = await start({ LOGIN_MAX_ATTEMPTS_PER_CLIENT: "1000", JWT_SIGNING_KEYS: JSON.stringify([newKey, oldKey]) });
  expect((await client.shop("GET", "/v1/me", { token: oldToken })).status).toBe(200);
  const after = await client.shop("POST", "/v1/auth/refresh", { body: { refreshToken: before.body.refreshToken } });
  const newToken = String(after.body.accessToken);
  expect(JSON.parse(Buffer.from(newToken.split(".")[0] ?? "", "base64url").toString()).kid).toBe(newKey.kid);
  const jwks = await client.shop("GET", "/.well-known/jwks.json");
  expect((jwks.body.keys as { kid: string }[]).map((k) => k.kid)).toEqual([newKey.kid, oldKey?.kid]);
  await platform?.dispose();

  // After it: the old key is gone, and so are the tokens it signed.
  client = await start({ LOGIN_MAX_ATTEMPTS_PER_CLIENT: "1000", JWT_SIGNING_KEYS: JSON.stringify([newKey]) });
  expect((await client.shop("GET", "/v1/me", { token: oldToken })).status).toBe(401);
  expect((await client.shop("GET", "/v1/me", { token: newToken })).status).toBe(200);
});

it("strangers who spend an account's sign-in budget lock out strangers, not the owner's known devices", async () => {
  const client = await start({});
  // A merchant owner, so the dashboard can sign in too; the shop's pages sign anyone in.
  const email = owner("pageturner");
  const password = DEMO_PASSWORD;
  const signIn = (ip: string, body: Record<string, unknown>) =>
    client.shop("POST", "/v1/auth/login", { ip, body: { email, password, ...body } });
  // Earlier sign-ins at home: through the API, the shop's pages and the dashboard. Each device keeps a token.
  const home = await signIn("192.0.2.10", {});
  expect(home.status).toBe(200);
  const deviceToken = String(home.body.deviceToken);
  expect(deviceToken).toMatch(/^dv_[A-Za-z0-9_-]{40,}$/);
  const shopBrowser = webClient(client.shopUrl, { ip: "192.0.2.10" });
  const dashboard = webClient(client.adminUrl, { ip: "192.0.2.10", csrfCookie: "ec_admin_csrf" });
  await dashboard.get("/admin/sign-in");
  for (const [browser, site, cookie, landing] of [
    [shopBrowser, "", "ec_device", "/account"],
    [dashboard, "/admin", "ec_admin_device", "/admin"],
  ] as const) {
    expect((await browser.post(`${site}/sign-in`, { email, password, next: "/account" })).location).toBe(landing);
    expect(browser.cookies.get(cookie)).toMatch(/^dv_/);
    expect(browser.setCookieLines.find((line) => line.startsWith(`${cookie}=`))).toMatch(/HttpOnly/);
    // Signing out ends the session, not what the device is known as.
    expect((await browser.post(`${site}/sign-out`, {})).status).toBe(303);
    expect([browser.cookies.has(cookie.replace("device", "rt")), browser.cookies.has(cookie)]).toEqual([false, true]);
  }

  // 60 wrong guesses from 30 addresses, 2 each: every per-client limit is far off, the account's 50 is spent.
  const guesses: number[] = [];
  for (let i = 0; i < 60; i++) guesses.push((await signIn(`198.51.100.${100 + (i % 30)}`, { password: `wrong guess ${i}` })).status);
  expect(guesses.filter((s) => s === 401)).toHaveLength(50);
  expect(guesses.slice(50)).toEqual(Array(10).fill(429));

  // A new device, even with the right password, is refused for the window…
  const stranger = await signIn("203.0.113.200", {});
  expect(stranger.status).toBe(429);
  expect(Number(stranger.headers.get("retry-after"))).toBeGreaterThan(0);
  const newBrowser = webClient(client.shopUrl, { ip: "203.0.113.199" });
  const refused = await newBrowser.post("/sign-in", { email, password, next: "/account" });
  expect([refused.status, refused.location]).toEqual([200, null]);
  expect(refused.html).toContain("too many sign-in attempts");
  // …and so is a made-up device token, or another account's.
  expect((await signIn("203.0.113.201", { deviceToken: `dv_${"A".repeat(43)}` })).status).toBe(429);
  const other = await client.register(uniqueEmail("other"), "correct horse battery", "Other", "192.0.2.11");
  expect((await signIn("203.0.113.202", { deviceToken: String(other.body.deviceToken) })).status).toBe(429);
  // The owner's known devices sign in: at home or elsewhere, through the API and both sites' pages.
  expect((await signIn("192.0.2.10", { deviceToken })).status).toBe(200);
  const away = await signIn("203.0.113.203", { deviceToken });
  expect(away.status).toBe(200);
  expect(away.body.deviceToken).toBe(deviceToken);
  expect((await shopBrowser.post("/sign-in", { email, password, next: "/account" })).location).toBe("/account");
  expect((await dashboard.post("/admin/sign-in", { email, password })).location).toBe("/admin");

  // The per-client limit still holds for a known device: an address that spent its 30 is refused.
  const busy = "203.0.113.210";
  for (let i = 0; i < 30; i++) await client.login(uniqueEmail("nobody"), "wrong wrong wrong", busy);
  expect((await signIn(busy, { deviceToken })).status).toBe(429);

  // A stolen device token buys no guessing: its wrong passwords count against it, from any address.
  for (let i = 0; i < 5; i++) expect((await signIn(`203.0.113.${220 + i}`, { deviceToken, password: `thief ${i}` })).status).toBe(401);
  const thief = await signIn("203.0.113.230", { deviceToken });
  expect(thief.status).toBe(429);
  expect(Number(thief.headers.get("retry-after"))).toBeGreaterThan(0);
});
