import { generateKeyPairSync } from "node:crypto";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../../workers/identity/seed/demo-accounts.ts";
import { api, devSigningKeys, forge, uniqueEmail } from "./identity-client.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

// The per-IP limit is raised here because every request of this suite comes from 127.0.0.1; the
// per-IP limit itself is tested in identity-limits.test.ts.
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 30, adminPort: 0, vars: { identity: { LOGIN_MAX_ATTEMPTS_PER_CLIENT: "1000" } } });
  client = api(platform);
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

const field = (r: { body: Record<string, unknown> }) => (r.body.errors as { field: string }[] | undefined)?.[0]?.field;

describe("accounts", () => {
  it("register → login → /v1/me → refresh → logout", async () => {
    const email = uniqueEmail("walk");
    const registered = await client.register(email);
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^rt_/),
      user: { email, role: "shopper" },
    });

    const login = await client.login(email.toUpperCase(), "correct horse battery");
    expect(login.status).toBe(200);
    const me = await client.shop("GET", "/v1/me", { token: String(login.body.accessToken) });
    expect(me).toMatchObject({ status: 200, body: { email, role: "shopper", merchantId: null } });

    const refreshed = await client.shop("POST", "/v1/auth/refresh", { body: { refreshToken: login.body.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(login.body.refreshToken);
    const out = await client.shop("POST", "/v1/auth/logout", { body: { refreshToken: refreshed.body.refreshToken } });
    expect(out.status).toBe(204);
    expect((await client.shop("POST", "/v1/auth/refresh", { body: { refreshToken: refreshed.body.refreshToken } })).status).toBe(401);
  });

  it("refuses a duplicate email (whatever its case), a malformed email and weak passwords, naming the field", async () => {
    const email = uniqueEmail("dup");
    expect((await client.register(email)).status).toBe(201);
    const again = await client.register(email.toUpperCase());
    expect([again.status, field(again)]).toEqual([409, "email"]);
    for (const bad of ["not-an-email", "a@", "@b.com", ""]) {
      const r = await client.register(bad);
      expect([bad, r.status, field(r), r.type]).toEqual([bad, 400, "email", "application/problem+json"]);
    }
    const local = uniqueEmail("weakling");
    for (const password of ["short", "password123", "aaaaaaaaaaaa", `${local.split("@")[0]}!!`]) {
      const r = await client.register(local, password);
      expect([password, r.status, field(r)]).toEqual([password, 400, "password"]);
    }
    const noName = await client.shop("POST", "/v1/auth/register", {
      body: { email: uniqueEmail("noname"), password: "correct horse battery" },
    });
    expect([noName.status, field(noName)]).toEqual([400, "name"]);
  });

  it("answers a wrong password and an unknown email alike, in about the same time", async () => {
    const email = uniqueEmail("timing");
    await client.register(email);
    const timed = async (who: string) => {
      const started = performance.now();
      const r = await client.login(who, "not the password at all");
      return { ms: performance.now() - started, status: r.status, detail: r.body.detail };
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    // Alternate and stay under the per-account limit; a fresh unknown address each time.
    for (let i = 0; i < 4; i++) {
      const w = await timed(email);
      const u = await timed(uniqueEmail("nobody"));
      expect([w.status, u.status]).toEqual([401, 401]);
      expect(u.detail).toBe(w.detail);
      wrong.push(w.ms);
      unknown.push(u.ms);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    // Without the decoy hash an unknown email would answer ~50× faster; this only checks it is not.
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  });

  it("throttles failed sign-ins per account and client with 429 and Retry-After, before checking the password", async () => {
    const email = uniqueEmail("throttle");
    await client.register(email);
    const guesser = "203.0.113.77";
    for (let i = 0; i < 5; i++) expect((await client.login(email, "wrong wrong wrong", guesser)).status).toBe(401);
    const blocked = await client.login(email, "correct horse battery", guesser);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(blocked.body).toMatchObject({ status: 429, retryAfter: Number(blocked.headers.get("retry-after")) });
  });
});

describe("access tokens", () => {
  let user: { id: string; token: string; refresh: string };
  beforeAll(async () => {
    const r = await client.register(uniqueEmail("tokens"));
    user = { id: String((r.body.user as { id: string }).id), token: String(r.body.accessToken), refresh: String(r.body.refreshToken) };
  });

  it("are refused when expired, signed by another key, unsigned, for another audience or issuer, or tampered", async () => {
    const [key] = devSigningKeys();
    if (key === undefined) throw new Error("no dev key");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const stranger = { ...(privateKey.export({ format: "jwk" }) as JWK), kid: key.kid };
    const now = Math.floor(Date.now() / 1000);
    const [header = "", payload = ""] = user.token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const tampered = Buffer.from(JSON.stringify({ ...claims, role: "platform_admin" })).toString("base64url");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;

    expect((await client.shop("GET", "/v1/me", { token: await forge(key, { sub: user.id, role: "shopper" }) })).status).toBe(200);
    const bad: [string, string][] = [
      ["expired", await forge(key, { sub: user.id, role: "shopper", iat: now - 3600, exp: now - 60 })],
      ["another key", await forge(stranger, { sub: user.id, role: "shopper" })],
      ["alg none", none],
      ["wrong audience", await forge(key, { sub: user.id, role: "shopper", aud: "someone-else" })],
      ["wrong issuer", await forge(key, { sub: user.id, role: "shopper", iss: "https://evil.example" })],
      ["tampered payload", `${header}.${tampered}.${user.token.split(".")[2]}`],
      ["not an access token (typ JWT)", await forge(key, { sub: user.id, role: "shopper", typ: "JWT" })],
      ["no expiry", await forge(key, { sub: user.id, role: "shopper" }, ["exp"])],
      ["no issued-at", await forge(key, { sub: user.id, role: "shopper" }, ["iat"])],
      ["no subject", await forge(key, { sub: user.id, role: "shopper" }, ["sub"])],
      ["garbage", "not.a.token"],
    ];
    for (const [label, token] of bad) {
      const r = await client.shop("GET", "/v1/me", { token });
      expect([label, r.status, r.type]).toEqual([label, 401, "application/problem+json"]);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect((await client.shop("GET", "/v1/me")).status).toBe(401);
  });

  it("a refresh token used twice is refused and signs out its whole family", async () => {
    const r = await client.register(uniqueEmail("reuse"));
    const first = await client.shop("POST", "/v1/auth/refresh", { body: { refreshToken: r.body.refreshToken } });
    expect(first.status).toBe(200);
    const replay = await client.shop("POST", "/v1/auth/refresh", { body: { refreshToken: r.body.refreshToken } });
    expect(replay.status).toBe(401);
    // The token the legitimate first use got is dead too.
    expect((await client.shop("POST", "/v1/auth/refresh", { body: { refreshToken: first.body.refreshToken } })).status).toBe(401);
  });

  it("a shopper token on a merchant endpoint is 403; a merchant sees only its own products", async () => {
    expect((await client.admin("GET", "/admin/v1/products", { token: user.token })).status).toBe(403);
    expect((await client.admin("GET", "/admin/v1/products")).status).toBe(401);

    const owner = DEMO_ACCOUNTS.find((a) => a.role === "merchant_owner");
    const admin = DEMO_ACCOUNTS.find((a) => a.role === "platform_admin");
    const signedIn = await client.login(owner?.email ?? "", DEMO_PASSWORD);
    expect(signedIn.body.user).toMatchObject({ role: "merchant_owner", merchantId: owner?.merchantId });
    const own = await client.admin("GET", "/admin/v1/products?limit=100", { token: String(signedIn.body.accessToken) });
    expect(own.status).toBe(200);
    const items = own.body.items as { merchantId: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((p) => p.merchantId === owner?.merchantId)).toBe(true);
    const other = DEMO_ACCOUNTS.find((a) => a.role === "merchant_owner" && a.merchantId !== owner?.merchantId)?.merchantId;
    expect((await client.admin("GET", `/admin/v1/products?merchantId=${other}`, { token: String(signedIn.body.accessToken) })).status).toBe(
      403,
    );

    const platformAdmin = await client.login(admin?.email ?? "", DEMO_PASSWORD);
    const theirs = await client.admin("GET", `/admin/v1/products?merchantId=${other}&limit=100`, {
      token: String(platformAdmin.body.accessToken),
    });
    expect(theirs.status).toBe(200);
    expect((theirs.body.items as { merchantId: string }[]).every((p) => p.merchantId === other)).toBe(true);
  });
});

describe("GDPR", () => {
  it("exports what identity holds, then erases: old tokens stop working and sign-in fails", async () => {
    const email = uniqueEmail("forget-me");
    const r = await client.register(email, "correct horse battery", "Forget Me");
    const token = String(r.body.accessToken);
    const exported = await client.shop("GET", "/v1/me/export", { token });
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition")).toContain("attachment");
    expect(exported.body).toMatchObject({ user: { email, name: "Forget Me" }, sessions: [expect.objectContaining({ status: "active" })] });

    expect((await client.shop("DELETE", "/v1/me", { token })).status).toBe(204);
    expect((await client.shop("GET", "/v1/me", { token })).status).toBe(401);
    expect((await client.shop("GET", "/v1/me/export", { token })).status).toBe(401);
    expect((await client.login(email, "correct horse battery")).status).toBe(401);
    expect((await client.shop("POST", "/v1/auth/refresh", { body: { refreshToken: r.body.refreshToken } })).status).toBe(401);
    // The address is free again: the old account kept no trace of it.
    expect((await client.register(email)).status).toBe(201);
  });

  it("serves the public keys that sign access tokens", async () => {
    const jwks = await client.shop("GET", "/.well-known/jwks.json");
    const [key] = devSigningKeys();
    expect(jwks.body.keys).toEqual([expect.objectContaining({ kty: "EC", crv: "P-256", kid: key?.kid, alg: "ES256", use: "sig" })]);
    expect(JSON.stringify(jwks.body)).not.toContain('"d"');
  });
});
