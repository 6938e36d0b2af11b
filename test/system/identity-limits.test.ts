import { generateKeyPairSync, randomBytes } from "node:crypto";
import { afterAll, afterEach, expect, it } from "vitest";
import type { Platform } from "../../scripts/platform.ts";
import { api, devSigningKeys, uniqueEmail } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

const state = freshStateDir();
let platform: Platform | undefined;
afterEach(async () => {
  await platform?.dispose();
  platform = undefined;
});
afterAll(() => state.remove());

const start = async (vars: Record<string, string>) => {
  platform = await boot(state.dir, { demoSize: 10, vars: { identity: vars } });
  return api(platform);
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
