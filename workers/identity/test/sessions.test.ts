import { env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import * as tables from "../../../schema/identity/tables.ts";
import { identityConfig, sessionSettings } from "../src/config.ts";
import { issueSession, rotate } from "../src/sessions.ts";
import type { LoginThrottle } from "../src/throttle.ts";

const db = drizzle(env.DB, { schema: tables });
const settings = () => sessionSettings(identityConfig(env));

async function aUser() {
  const now = Date.now();
  const row = {
    id: `usr_${crypto.randomUUID()}`,
    emailKey: `${crypto.randomUUID()}@example.com`,
    email: "x@example.com",
    name: "X",
    role: "shopper" as const,
    merchantId: null,
    passwordHash: "!",
    createdAt: now,
    updatedAt: now,
    erasedAt: null,
  };
  await db.insert(tables.users).values(row);
  return row;
}

describe("refresh tokens", () => {
  it("of two concurrent uses of one token, exactly one wins and the family is revoked", async () => {
    const session = await issueSession(db, settings(), await aUser());
    const [a, b] = await Promise.all([rotate(db, settings(), session.refreshToken), rotate(db, settings(), session.refreshToken)]);
    const winners = [a, b].filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect([a, b].find((r) => !r.ok)).toEqual({ ok: false, reason: "reused" });
    const winner = winners[0];
    if (winner?.ok !== true) throw new Error("no winner");
    // The replay revoked the whole family, the winner's fresh token included.
    expect(await rotate(db, settings(), winner.session.refreshToken)).toEqual({ ok: false, reason: "reused" });
  });

  it("are stored only as hashes", async () => {
    const session = await issueSession(db, settings(), await aUser());
    const rows = await db.select().from(tables.refreshTokens);
    expect(rows.some((r) => r.tokenHash === session.refreshToken)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });
});

describe("LoginThrottle", () => {
  it("allows up to N failures in the window, then says how long to wait; a success resets the account", async () => {
    const stub = env.LOGIN_THROTTLE.getByName(`account:${crypto.randomUUID()}`);
    const windowMs = 60_000;
    for (let i = 0; i < 3; i++) {
      expect(await stub.check(3, windowMs)).toEqual({ allowed: true });
      await stub.recordFailure(windowMs, 3);
    }
    const blocked = await stub.check(3, windowMs);
    expect(blocked).toMatchObject({ allowed: false });
    expect(blocked.allowed ? 0 : blocked.retryAfterSeconds).toBeGreaterThan(55);
    // Failures older than the window stop counting.
    await runInDurableObject(stub, (_o: LoginThrottle, state) => {
      state.storage.kv.put("failures", [Date.now() - windowMs - 1, Date.now() - 1000, Date.now() - 500]);
    });
    expect(await stub.check(3, windowMs)).toEqual({ allowed: true });
    await stub.reset();
    expect(await stub.check(1, windowMs)).toEqual({ allowed: true });
  });
});
