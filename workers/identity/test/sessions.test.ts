import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import * as tables from "../db/tables.ts";
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
  const windowMs = 60_000;
  const fresh = () => env.LOGIN_THROTTLE.getByName(`account:${crypto.randomUUID()}`);

  it("counts an attempt in the call that checks it: of 60 parallel attempts exactly the limit go ahead", async () => {
    const stub = fresh();
    const verdicts = await Promise.all(Array.from({ length: 60 }, () => stub.attempt("ip4:203.0.113.1", { total: 5, windowMs })));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
    const refused = verdicts.find((v) => !v.allowed);
    expect(refused?.allowed === false ? refused.retryAfterSeconds : 0).toBeGreaterThan(55);
  });

  it("limits each client within the key, and everyone together, separately", async () => {
    const stub = fresh();
    const limits = { total: 4, perClient: 2, windowMs };
    const a = [await stub.attempt("a", limits), await stub.attempt("a", limits), await stub.attempt("a", limits)];
    expect(a.map((v) => v.allowed)).toEqual([true, true, false]);
    expect((await stub.attempt("b", limits)).allowed).toBe(true);
    expect((await stub.attempt("c", limits)).allowed).toBe(true);
    expect((await stub.attempt("d", limits)).allowed).toBe(false); // 4 in all
  });

  it("gives attempts back: a refund frees one slot, a success frees the client's whole share", async () => {
    const stub = fresh();
    const limits = { total: 10, perClient: 2, windowMs };
    const first = await stub.attempt("a", limits);
    await stub.attempt("a", limits);
    expect((await stub.attempt("a", limits)).allowed).toBe(false);
    if (!first.allowed) throw new Error("first attempt refused");
    await stub.refund(first.ticket);
    const third = await stub.attempt("a", limits);
    expect(third.allowed).toBe(true);
    if (!third.allowed) throw new Error("refunded slot not freed");
    await stub.succeeded(third.ticket, "a");
    expect((await stub.attempt("a", limits)).allowed).toBe(true);
    expect((await stub.attempt("a", limits)).allowed).toBe(true);
  });

  it("stops counting attempts older than the window, and forgets everything at its alarm", async () => {
    const stub = fresh();
    const limits = { total: 2, windowMs };
    await stub.attempt("a", limits);
    await stub.attempt("a", limits);
    expect((await stub.attempt("a", limits)).allowed).toBe(false);
    await runInDurableObject(stub, (_o: LoginThrottle, state) => {
      state.storage.sql.exec("UPDATE attempts SET at = at - ?", windowMs + 1);
    });
    expect((await stub.attempt("a", limits)).allowed).toBe(true);

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const tables = await runInDurableObject(stub, (_o: LoginThrottle, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray(),
    );
    expect(tables).toEqual([]);
    expect((await stub.attempt("a", limits)).allowed).toBe(true);
  });
});
