import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { TEST_CARDS } from "#schema/payments.ts";
import { ledger } from "../db/tables.ts";
import { authorizeRequest, call, db, everyStoredValue, uid } from "./helpers.ts";

// Through the service's RPC entrypoint, as the orders Worker calls it, with the built-in test provider.
const payments = exports.PaymentsService;
const ledgerOf = (paymentId: string) => db.select().from(ledger).where(eq(ledger.paymentId, paymentId));

async function authorized(amount = 1000) {
  const req = authorizeRequest(TEST_CARDS.succeeds, amount);
  const result = await payments.authorize(req, call);
  if (!result.ok || result.value.outcome !== "authorized") throw new Error(`not authorized: ${JSON.stringify(result)}`);
  return { req, payment: result.value.payment };
}

async function captured(amount = 1000) {
  const { req } = await authorized(amount);
  const result = await payments.capture(req.paymentId, uid("cap"), call);
  expect(result).toMatchObject({ ok: true, value: { outcome: "captured" } });
  return req.paymentId;
}

describe("authorize with the test cards", () => {
  it("4242… is authorized and only the brand and last four are kept", async () => {
    const { req, payment } = await authorized(2599);
    expect(payment).toMatchObject({
      paymentId: req.paymentId,
      provider: "test",
      status: "authorized",
      amount: { amount: 2599, currency: "USD" },
      captured: 0,
      refunded: 0,
      card: { brand: "visa", last4: "4242" },
    });
    expect(payment.providerRef).toMatch(/^test_auth_/);
    expect(await payments.getPayment(req.paymentId, call)).toEqual({ ok: true, value: payment });
  });

  it("4000…0002 is declined and 4000…9995 fails for insufficient funds", async () => {
    const declined = await payments.authorize(authorizeRequest(TEST_CARDS.declined), call);
    expect(declined).toEqual({
      ok: true,
      value: { outcome: "declined", reason: "card_declined", message: expect.any(String), card: { brand: "visa", last4: "0002" } },
    });
    const poor = await payments.authorize(authorizeRequest(TEST_CARDS.insufficientFunds), call);
    expect(poor).toMatchObject({ ok: true, value: { outcome: "declined", reason: "insufficient_funds", card: { last4: "9995" } } });
  });

  it("another Luhn-valid number succeeds, with its brand", async () => {
    const result = await payments.authorize(authorizeRequest("5555555555554444"), call);
    expect(result).toMatchObject({ ok: true, value: { outcome: "authorized", payment: { card: { brand: "mastercard", last4: "4444" } } } });
  });

  it("a bad card is a 400 naming the field, and nothing is recorded", async () => {
    const req = authorizeRequest("4242424242424241");
    const result = await payments.authorize(req, call);
    expect(result).toMatchObject({ ok: false, problem: { status: 400, errors: [{ field: "payment.card.number" }] } });
    expect(await ledgerOf(req.paymentId)).toEqual([]);
    const noAmount = await payments.authorize({ ...authorizeRequest(TEST_CARDS.succeeds), amount: { amount: 0, currency: "USD" } }, call);
    expect(noAmount).toMatchObject({ ok: false, problem: { status: 400 } });
  });

  it("the same key twice gives one ledger row and the same answer; the same key for another amount is a 422", async () => {
    const req = authorizeRequest(TEST_CARDS.succeeds);
    const first = await payments.authorize(req, call);
    const again = await payments.authorize(req, call);
    expect(again).toEqual(first);
    expect(await ledgerOf(req.paymentId)).toHaveLength(1);
    const other = await payments.authorize({ ...req, amount: { amount: 1, currency: "USD" } }, call);
    expect(other).toMatchObject({ ok: false, problem: { status: 422 } });
  });

  it("two concurrent calls with one key record one row and give one answer", async () => {
    const req = authorizeRequest(TEST_CARDS.succeeds);
    const answers = await Promise.all([payments.authorize(req, call), payments.authorize(req, call)]);
    expect(await ledgerOf(req.paymentId)).toHaveLength(1);
    const authorizedAnswers = answers.filter((a) => a.ok && a.value.outcome === "authorized");
    // The loser either saw the recorded answer or was told the first call is under way (retry, same key).
    expect(authorizedAnswers.length).toBeGreaterThanOrEqual(1);
    for (const a of answers) expect(a.ok && ["authorized", "unavailable"].includes(a.value.outcome)).toBe(true);
    expect(await payments.authorize(req, call)).toEqual(authorizedAnswers[0]);
  });

  it("a second authorization of one payment under a new key is a 409; after a decline a new card may try", async () => {
    const { req } = await authorized();
    const again = await payments.authorize({ ...req, idempotencyKey: uid("auth") }, call);
    expect(again).toMatchObject({ ok: false, problem: { status: 409 } });

    const declined = authorizeRequest(TEST_CARDS.declined);
    await payments.authorize(declined, call);
    const retry = await payments.authorize(
      {
        ...declined,
        idempotencyKey: uid("auth"),
        payment: { method: "card", card: { ...declined.payment.card, number: TEST_CARDS.succeeds } },
      },
      call,
    );
    expect(retry).toMatchObject({ ok: true, value: { outcome: "authorized", payment: { card: { last4: "4242" } } } });
  });

  it("4000…0119 times out at the provider every time; voiding afterwards is `voided` with payment null", async () => {
    const req = authorizeRequest(TEST_CARDS.timesOut);
    const started = Date.now();
    const first = await payments.authorize(req, call);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(first).toEqual({ ok: true, value: { outcome: "unavailable", message: expect.stringContaining("50 ms") } });
    expect(await payments.authorize(req, call)).toEqual(first);
    const [row] = await ledgerOf(req.paymentId);
    expect(row).toMatchObject({ status: "unavailable", attempts: 2 });

    const voided = await payments.voidPayment(req.paymentId, uid("void"), call);
    expect(voided).toEqual({ ok: true, value: { outcome: "voided", payment: null } });
    expect(await payments.getPayment(req.paymentId, call)).toEqual({ ok: true, value: null });
    // The compensation stays one: the timed-out authorization is not retried into a hold.
    expect(await payments.authorize(req, call)).toMatchObject({ ok: false, problem: { status: 409 } });
  });
});

describe("capture, void, refund", () => {
  it("captures the full amount once; the same key replays it", async () => {
    const { req } = await authorized(1500);
    const key = uid("cap");
    const first = await payments.capture(req.paymentId, key, call);
    expect(first).toMatchObject({ ok: true, value: { outcome: "captured", payment: { status: "captured", captured: 1500 } } });
    expect(await payments.capture(req.paymentId, key, call)).toEqual(first);
    expect((await ledgerOf(req.paymentId)).filter((r) => r.kind === "capture")).toHaveLength(1);
  });

  it("voids an authorization; a captured payment cannot be voided; an unknown one is voided with payment null", async () => {
    const { req } = await authorized();
    const key = uid("void");
    const voided = await payments.voidPayment(req.paymentId, key, call);
    expect(voided).toMatchObject({ ok: true, value: { outcome: "voided", payment: { status: "voided" } } });
    expect(await payments.voidPayment(req.paymentId, key, call)).toEqual(voided);
    expect(await payments.capture(req.paymentId, uid("cap"), call)).toMatchObject({ ok: true, value: { outcome: "refused" } });

    const paid = await captured();
    expect(await payments.voidPayment(paid, uid("void"), call)).toMatchObject({ ok: false, problem: { status: 409 } });
    expect(await payments.voidPayment(uid("pay"), uid("void"), call)).toEqual({ ok: true, value: { outcome: "voided", payment: null } });
  });

  it("refunds in parts, never more than captured minus refunded", async () => {
    const paymentId = await captured(1000);
    const over = await payments.refund(paymentId, uid("ref"), { amount: 1001, currency: "USD" }, call);
    expect(over).toMatchObject({ ok: true, value: { outcome: "refused", message: expect.stringContaining("1000") } });

    const firstKey = uid("ref");
    const first = await payments.refund(paymentId, firstKey, { amount: 300, currency: "USD" }, call);
    expect(first).toMatchObject({ ok: true, value: { outcome: "refunded", payment: { status: "partially_refunded", refunded: 300 } } });
    // A retry of the same refund is the same refund, not a second one.
    expect(await payments.refund(paymentId, firstKey, { amount: 300, currency: "USD" }, call)).toEqual(first);

    expect(await payments.refund(paymentId, uid("ref"), { amount: 701, currency: "USD" }, call)).toMatchObject({
      ok: true,
      value: { outcome: "refused" },
    });
    const rest = await payments.refund(paymentId, uid("ref"), { amount: 700, currency: "USD" }, call);
    expect(rest).toMatchObject({
      ok: true,
      value: { outcome: "refunded", payment: { status: "refunded", refunded: 1000, captured: 1000 } },
    });
    expect(await payments.refund(paymentId, uid("ref"), { amount: 1, currency: "USD" }, call)).toMatchObject({
      ok: true,
      value: { outcome: "refused" },
    });
    expect(await payments.refund(paymentId, uid("ref"), { amount: 1, currency: "EUR" }, call)).toMatchObject({
      ok: false,
      problem: { status: 400 },
    });
  });

  it("concurrent refunds under different keys never add up to more than was captured", async () => {
    const paymentId = await captured(1000);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => payments.refund(paymentId, uid("ref"), { amount: 300, currency: "USD" }, call)),
    );
    expect(answers.filter((a) => a.ok && a.value.outcome === "refunded")).toHaveLength(3);
    expect(await payments.getPayment(paymentId, call)).toMatchObject({ ok: true, value: { refunded: 900, status: "partially_refunded" } });
  });

  it("refunding an uncaptured or unknown payment is refused or 404", async () => {
    const { req } = await authorized();
    expect(await payments.refund(req.paymentId, uid("ref"), { amount: 1, currency: "USD" }, call)).toMatchObject({
      ok: true,
      value: { outcome: "refused" },
    });
    expect(await payments.refund(uid("pay"), uid("ref"), { amount: 1, currency: "USD" }, call)).toMatchObject({
      ok: false,
      problem: { status: 404 },
    });
    expect(await payments.capture(uid("pay"), uid("cap"), call)).toMatchObject({ ok: false, problem: { status: 404 } });
  });

  it("arguments are parsed: an empty key is a 400", async () => {
    expect(await payments.capture("pay_x", "", call)).toMatchObject({
      ok: false,
      problem: { status: 400, errors: [{ field: "idempotencyKey" }] },
    });
    expect(await payments.refund("pay_x", "k", { amount: -5, currency: "USD" }, call)).toMatchObject({
      ok: false,
      problem: { status: 400 },
    });
  });
});

it("no card number or cvc is stored anywhere: every row of every table", async () => {
  for (const number of Object.values(TEST_CARDS)) await payments.authorize(authorizeRequest(number), call);
  await payments.authorize(authorizeRequest("378282246310005"), call);
  const values = await everyStoredValue();
  expect(values.length).toBeGreaterThan(0);
  for (const number of [...Object.values(TEST_CARDS), "378282246310005"]) {
    expect(values.filter((v) => v.includes(number))).toEqual([]);
    // Nor the leading digits that, with the last four, would give the number back.
    expect(values.filter((v) => v.includes(number.slice(0, 12)))).toEqual([]);
  }
  // The cvc's digits could turn up in any id or timestamp by chance; its name must not turn up at all.
  expect(values.filter((v) => /cvc|security_code/i.test(v))).toEqual([]);
});

it("the Worker answers HTTP with a 404 problem: it is reached by RPC only", async () => {
  const response = await exports.default.fetch("http://payments/anything");
  expect(response.status).toBe(404);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(env.DB).toBeDefined();
});
