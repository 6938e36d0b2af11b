import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { TEST_CARDS } from "#schema/payments.ts";
import { authorize } from "../src/authorize.ts";
import { capture } from "../src/capture.ts";
import { charge } from "../src/charge.ts";
import { type CallDeps, paymentsDb } from "../src/db.ts";
import { claim } from "../src/ledger.ts";
import type { PaymentProvider } from "../src/provider.ts";
import { TestProvider } from "../src/test-provider.ts";
import { authorizeRequest, call, depsWith, ledgerOf, paymentRow, uid } from "./helpers.ts";

// `charge` through the service's RPC entrypoint, as the orders Worker calls it, with the built-in test provider.
const payments = exports.PaymentsService;

/** The ledger of a payment as (kind, key, status), in a stable order. */
async function entries(paymentId: string) {
  const rows = await ledgerOf(paymentId);
  return rows
    .map((r) => ({ kind: r.kind, idempotencyKey: r.idempotencyKey, status: r.status }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
}

describe("charge: authorize and capture in one call", () => {
  it("an authorized card is captured: one authorize row and one capture row, under the keys given", async () => {
    const req = authorizeRequest(TEST_CARDS.succeeds, 2599);
    const captureKey = uid("cap");
    const result = await payments.charge(req, captureKey, call);
    if (!result.ok) throw new Error(JSON.stringify(result.problem));
    const { authorized, capture: captured } = result.value;
    expect(captured).toMatchObject({
      outcome: "captured",
      payment: { paymentId: req.paymentId, status: "captured", captured: 2599, refunded: 0, card: { brand: "visa", last4: "4242" } },
    });
    expect(authorized).toMatchObject({
      outcome: "authorized",
      payment: { paymentId: req.paymentId, amount: { amount: 2599, currency: "USD" } },
    });
    expect(await entries(req.paymentId)).toEqual([
      { kind: "authorize", idempotencyKey: req.idempotencyKey, status: "authorized" },
      { kind: "capture", idempotencyKey: captureKey, status: "captured" },
    ]);
    // What the answer shows is what is stored.
    expect(await payments.getPayment(req.paymentId, call)).toEqual({
      ok: true,
      value: captured?.outcome === "captured" && captured.payment,
    });
    expect(await paymentRow(req.paymentId)).toMatchObject({ status: "captured", captured: 2599 });
  });

  it("a declined card is not captured: capture null, a failed payment and no capture row", async () => {
    const req = authorizeRequest(TEST_CARDS.declined);
    const captureKey = uid("cap");
    const result = await payments.charge(req, captureKey, call);
    expect(result).toEqual({
      ok: true,
      value: {
        authorized: { outcome: "declined", reason: "card_declined", message: expect.any(String), card: { brand: "visa", last4: "0002" } },
        capture: null,
      },
    });
    expect(await entries(req.paymentId)).toEqual([{ kind: "authorize", idempotencyKey: req.idempotencyKey, status: "declined" }]);
    expect(await paymentRow(req.paymentId)).toMatchObject({ status: "failed", captured: 0 });
    // The capture key was not used: a capture under it now is refused, not replayed.
    expect(await payments.capture(req.paymentId, captureKey, call)).toMatchObject({ ok: true, value: { outcome: "refused" } });
  });

  it("a provider that does not answer is not captured: capture null, the authorization is unavailable", async () => {
    const req = authorizeRequest(TEST_CARDS.timesOut);
    const result = await payments.charge(req, uid("cap"), call);
    expect(result).toEqual({ ok: true, value: { authorized: { outcome: "unavailable", message: expect.any(String) }, capture: null } });
    expect(await entries(req.paymentId)).toEqual([{ kind: "authorize", idempotencyKey: req.idempotencyKey, status: "unavailable" }]);
  });

  it("the same charge again answers the same and moves no money twice", async () => {
    const req = authorizeRequest(TEST_CARDS.succeeds, 1500);
    const captureKey = uid("cap");
    const first = await payments.charge(req, captureKey, call);
    expect(first).toMatchObject({ ok: true, value: { capture: { outcome: "captured" } } });
    const again = await payments.charge(req, captureKey, call);
    expect(again).toEqual(first);
    const rows = await ledgerOf(req.paymentId);
    expect(rows.map((r) => [r.kind, r.attempts]).sort()).toEqual([
      ["authorize", 1],
      ["capture", 1],
    ]);
    expect(await paymentRow(req.paymentId)).toMatchObject({ status: "captured", captured: 1500 });
  });

  it("a charge's capture is the capture its key names: capture(paymentId, captureKey) replays it", async () => {
    const req = authorizeRequest(TEST_CARDS.succeeds, 1200);
    const captureKey = uid("cap");
    const charged = await payments.charge(req, captureKey, call);
    if (!charged.ok || charged.value.capture === null) throw new Error(`not captured: ${JSON.stringify(charged)}`);
    const replay = await payments.capture(req.paymentId, captureKey, call);
    expect(replay).toEqual({ ok: true, value: charged.value.capture });
    expect(replay).toMatchObject({ ok: true, value: { outcome: "captured", payment: { status: "captured", captured: 1200 } } });
    // And the authorization's key replays the authorization, showing the payment as it is now.
    expect(await payments.authorize(req, call)).toEqual({ ok: true, value: charged.value.authorized });
    expect((await ledgerOf(req.paymentId)).filter((r) => r.kind === "capture")).toHaveLength(1);
  });

  it("a bad capture key, or the authorization's own key, is refused before anything is authorized", async () => {
    const req = authorizeRequest(TEST_CARDS.succeeds);
    expect(await payments.charge(req, "", call)).toMatchObject({ ok: false, problem: { status: 400, errors: [{ field: "captureKey" }] } });
    expect(await payments.charge(req, req.idempotencyKey, call)).toMatchObject({
      ok: false,
      problem: { status: 422, errors: [{ field: "captureKey" }] },
    });
    expect(await ledgerOf(req.paymentId)).toEqual([]);
    expect(await payments.charge({ ...req, amount: { amount: 0, currency: "USD" } }, uid("cap"), call)).toMatchObject({
      ok: false,
      problem: { status: 400 },
    });
    expect(await ledgerOf(req.paymentId)).toEqual([]);
  });
});

/** The test provider, counting what it was asked to do. */
function countingProvider() {
  const test = new TestProvider({ timeoutMs: 50 });
  const calls = { authorize: 0, capture: 0 };
  const provider: PaymentProvider = {
    name: test.name,
    accepts: test.accepts,
    authorize: (c) => {
      calls.authorize++;
      return test.authorize(c);
    },
    capture: (c) => {
      calls.capture++;
      return test.capture(c);
    },
    void: () => test.void(),
    refund: (c) => test.refund(c),
    verifyWebhook: () => test.verifyWebhook(),
  };
  return { provider, calls };
}

type Count = { roundTrips: number; statements: number };

/**
 * The D1 binding, counting round trips (a statement run on its own, or a batch) and the statements in them.
 * A batch needs the runtime's own statements, so each wrapper remembers the one it stands for.
 */
function countingD1(d1: D1Database): { d1: D1Database; count: Count } {
  const count: Count = { roundTrips: 0, statements: 0 };
  const real = new WeakMap<object, D1PreparedStatement>();
  const passThrough = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target);
    return typeof value === "function" ? value.bind(target) : value;
  };
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          count.roundTrips++;
          count.statements++;
        }
        return passThrough(target, prop);
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  const proxy = new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrap(target.prepare(query));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          count.roundTrips++;
          count.statements += statements.length;
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      return passThrough(target, prop);
    },
  });
  return { d1: proxy, count };
}

function counted(): { deps: CallDeps; count: Count; calls: { authorize: number; capture: number } } {
  const { provider, calls } = countingProvider();
  const { d1, count } = countingD1(env.DB);
  // One shard, counted: the tests' payment ids are not order ids, so they are all on shard 0.
  return { deps: { ...depsWith(provider), shards: [paymentsDb(d1)] }, count, calls };
}

describe("D1 round trips and provider calls", () => {
  it("authorize takes 2 round trips, capture 3, and charge 4 for both, asking the provider once each", async () => {
    const auth = counted();
    const req = authorizeRequest(TEST_CARDS.succeeds);
    expect(await authorize(auth.deps, req)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    // The claim (INSERT … RETURNING), then one batch: the payment's upsert and the ledger row's settlement.
    expect(auth.count).toEqual({ roundTrips: 2, statements: 3 });

    const cap = counted();
    expect(await capture(cap.deps, req.paymentId, uid("cap"))).toMatchObject({ ok: true, value: { outcome: "captured" } });
    // The payment read, the claim, and one batch: the payment marked captured and the ledger row settled.
    expect(cap.count).toEqual({ roundTrips: 3, statements: 4 });

    const both = counted();
    const chargeReq = authorizeRequest(TEST_CARDS.succeeds);
    expect(await charge(both.deps, chargeReq, uid("cap"))).toMatchObject({ ok: true, value: { capture: { outcome: "captured" } } });
    // The capture starts from the payment the authorization wrote: no read in between.
    expect(both.count).toEqual({ roundTrips: 4, statements: 6 });
    expect(both.calls).toEqual({ authorize: 1, capture: 1 });
  });

  it("a repeated charge asks the provider nothing", async () => {
    const { deps, calls } = counted();
    const req = authorizeRequest(TEST_CARDS.succeeds);
    const captureKey = uid("cap");
    const first = await charge(deps, req, captureKey);
    expect(await charge(deps, req, captureKey)).toEqual(first);
    expect(calls).toEqual({ authorize: 1, capture: 1 });
  });

  it("a claim answers the row as a read of it gives it", async () => {
    const db = paymentsDb(env.DB);
    const paymentId = uid("pay");
    const op = { paymentId, kind: "refund" as const, idempotencyKey: uid("ref"), amount: 250, currency: "EUR" };
    const claimed = await claim(db, op, sql`1 = 1`, Date.now());
    expect(claimed.kind).toBe("claimed");
    const [stored] = await ledgerOf(paymentId);
    expect(claimed.kind === "claimed" && claimed.row).toEqual(stored);
    expect(stored).toMatchObject({ ...op, status: "in_progress", attempts: 1, providerRef: null, detail: null });
    // Claimed again once it is given up (unavailable): the retry's UPDATE answers the row too.
    await env.DB.prepare("UPDATE ledger SET status = 'unavailable' WHERE id = ?").bind(stored?.id).run();
    const retried = await claim(db, op, sql`1 = 1`, Date.now());
    const [again] = await ledgerOf(paymentId);
    expect(retried).toEqual({ kind: "claimed", row: again });
    expect(again).toMatchObject({ status: "in_progress", attempts: 2 });
  });
});
