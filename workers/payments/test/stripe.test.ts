import { describe, expect, it } from "vitest";
import { TEST_CARDS } from "#schema/payments.ts";
import { orderIdOn } from "#shared/order-id.ts";
import { authorize } from "../src/authorize.ts";
import { capture } from "../src/capture.ts";
import type { Fetch } from "../src/provider.ts";
import { refund } from "../src/refund.ts";
import { StripeProvider } from "../src/stripe.ts";
import { voidPayment } from "../src/void-payment.ts";
import { handleWebhook } from "../src/webhook.ts";
import {
  authorizeRequest,
  depsWith,
  everyStoredValue,
  json,
  ledgerOf,
  paymentRow,
  paypalRequest,
  type Recorded,
  recorder,
  rowsPerShard,
  stripeRequest,
  stripeSignature,
  uid,
} from "./helpers.ts";

const SECRET_KEY = "sk_test_recorded";
const WEBHOOK_SECRET = "whsec_recorded";

// PaymentMethods as Stripe.js makes them in the shopper's browser from the card typed there, and the card each
// one stands for (what Stripe shows of it: brand and last four digits).
const PM = {
  visa: "pm_1Rec0rdedVisa4242",
  mastercard: "pm_1Rec0rdedMastercard4444",
  declined: "pm_1Rec0rdedDeclined0002",
  poor: "pm_1Rec0rdedInsufficientFunds9995",
  expired: "pm_1Rec0rdedExpired0069",
  processing: "pm_1Rec0rdedProcessingError0119",
} as const;
const CARDS: Record<string, { brand: string; last4: string }> = {
  [PM.visa]: { brand: "visa", last4: "4242" },
  [PM.mastercard]: { brand: "mastercard", last4: "4444" },
  [PM.declined]: { brand: "visa", last4: "0002" },
  [PM.poor]: { brand: "visa", last4: "9995" },
  [PM.expired]: { brand: "visa", last4: "0069" },
  [PM.processing]: { brand: "visa", last4: "0119" },
};

// Stripe-shaped responses, as the API answers them (trimmed to the fields that matter).
const paymentMethod = (id: string) => ({
  id,
  object: "payment_method",
  type: "card",
  card: { ...CARDS[id], exp_month: 12, exp_year: 2030, funding: "credit", country: "US" },
});
const intent = (over: Record<string, unknown> = {}) => ({
  id: "pi_3Rec0rded",
  object: "payment_intent",
  amount: 1000,
  currency: "usd",
  capture_method: "manual",
  status: "requires_capture",
  latest_charge: "ch_3Rec0rded",
  metadata: {},
  last_payment_error: null,
  payment_method: PM.visa,
  ...over,
});
const cardError = (pm: string, codes: { code?: string; decline_code?: string }, message: string) => ({
  error: {
    type: "card_error",
    ...codes,
    message,
    payment_intent: { id: "pi_3Declined", object: "payment_intent", status: "requires_payment_method" },
    // Stripe puts the PaymentMethod that failed on the error, always expanded.
    payment_method: paymentMethod(pm),
  },
});
const noSuchPaymentMethod = (pm: string) => ({
  error: { type: "invalid_request_error", code: "resource_missing", param: "payment_method", message: `No such PaymentMethod: '${pm}'` },
});

type Route = (req: Recorded, calls: Recorded[]) => Response | Promise<Response>;

/**
 * A PaymentIntent created from the form sent: for its amount and currency, with its metadata, and with the
 * PaymentMethod expanded only when the form asked for it (otherwise Stripe answers its bare id).
 */
function createdIntent(req: Recorded, over: Record<string, unknown> = {}): Response {
  const form = new URLSearchParams(req.body);
  const pm = form.get("payment_method") ?? "";
  if (CARDS[pm] === undefined) return json(400, noSuchPaymentMethod(pm));
  return json(
    200,
    intent({
      amount: Number(form.get("amount")),
      currency: form.get("currency"),
      metadata: { payment_id: form.get("metadata[payment_id]") },
      payment_method: form.getAll("expand[]").includes("payment_method") ? paymentMethod(pm) : pm,
      ...over,
    }),
  );
}

/** Stripe's API as recorded: authorize answers what `onCreate` says; capture, cancel and refunds succeed. */
function stripeApi(onCreate: Route = (req) => createdIntent(req)) {
  return recorder((req, calls) => {
    const form = new URLSearchParams(req.body);
    if (req.path === "/v1/payment_intents") return onCreate(req, calls);
    if (req.path.endsWith("/capture")) return json(200, intent({ id: req.path.split("/")[3], status: "succeeded", amount_received: 1000 }));
    if (req.path.endsWith("/cancel")) return json(200, intent({ id: req.path.split("/")[3], status: "canceled" }));
    if (req.path === "/v1/refunds") {
      return json(200, { id: `re_${calls.length}`, object: "refund", amount: Number(form.get("amount")), status: "succeeded" });
    }
    return json(404, { error: { type: "invalid_request_error", message: "Unrecognized request URL" } });
  });
}

function setup(api: { fetcher: Fetch; calls: Recorded[]; to: (path: string) => Recorded[] } = stripeApi(), timeoutMs?: number) {
  const stripe = new StripeProvider(
    {
      apiBase: "https://api.stripe.test",
      secretKey: SECRET_KEY,
      webhookSecret: WEBHOOK_SECRET,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    },
    api.fetcher,
  );
  return { api, stripe, deps: depsWith(stripe) };
}

const formOf = (call: Recorded | undefined) => Object.fromEntries(new URLSearchParams(call?.body));

describe("Stripe adapter: PaymentIntents", () => {
  it("confirms a manual-capture PaymentIntent with exactly the shopper's PaymentMethod, our key as Idempotency-Key", async () => {
    const { api, deps } = setup();
    const req = stripeRequest(PM.visa, 1000);
    const result = await authorize(deps, req);
    expect(result).toMatchObject({
      ok: true,
      value: { outcome: "authorized", payment: { provider: "stripe", providerRef: "pi_3Rec0rded", status: "authorized" } },
    });
    expect(api.calls).toHaveLength(1);
    const [sent] = api.calls;
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/v1/payment_intents");
    expect(sent?.headers).toMatchObject({
      authorization: `Bearer ${SECRET_KEY}`,
      "idempotency-key": req.idempotencyKey,
      "content-type": "application/x-www-form-urlencoded",
      "stripe-version": "2024-06-20",
    });
    // Every field sent, and nothing else: the PaymentMethod id stands for the card, which never passes through us.
    expect(formOf(sent)).toEqual({
      amount: "1000",
      currency: "usd",
      capture_method: "manual",
      confirm: "true",
      payment_method: PM.visa,
      "payment_method_types[]": "card",
      "expand[]": "payment_method",
      "metadata[payment_id]": req.paymentId,
      description: "Order test",
      receipt_email: "shopper@example.com",
    });
    expect(Object.keys(formOf(sent)).filter((k) => /number|cvc|exp_|card\[/.test(k))).toEqual([]);
  });

  it("records the card's brand and last four from the expanded PaymentMethod, and keeps nothing else of it", async () => {
    const { deps } = setup();
    const req = stripeRequest(PM.mastercard, 2599);
    expect(await authorize(deps, req)).toMatchObject({
      ok: true,
      value: { outcome: "authorized", payment: { amount: { amount: 2599 }, card: { brand: "mastercard", last4: "4444" } } },
    });
    expect(await paymentRow(req.paymentId)).toMatchObject({ cardBrand: "mastercard", cardLast4: "4444" });
    // The PaymentMethod is the shopper's; we keep the summary only.
    expect((await everyStoredValue()).filter((v) => v.includes(PM.mastercard))).toEqual([]);

    // Where Stripe answers the PaymentMethod's bare id (not expanded), there is no card to show: nothing is made up.
    const bare = setup(stripeApi((r) => createdIntent(r, { payment_method: PM.mastercard })));
    const plain = stripeRequest(PM.mastercard);
    expect(await authorize(bare.deps, plain)).toMatchObject({ ok: true, value: { outcome: "authorized", payment: { card: null } } });
  });

  it("a card number, or a PayPal order, sent to a Stripe shop is a 400 naming payment.method; Stripe is never called", async () => {
    const { api, deps } = setup();
    const raw = authorizeRequest(TEST_CARDS.succeeds);
    expect(await authorize(deps, raw)).toMatchObject({
      ok: false,
      problem: { status: 400, detail: expect.stringContaining('"stripe"'), errors: [{ field: "payment.method" }] },
    });
    const paypal = paypalRequest("5O190127TN364715T");
    expect(await authorize(deps, paypal)).toMatchObject({ ok: false, problem: { status: 400, errors: [{ field: "payment.method" }] } });
    expect(api.calls).toEqual([]);
    for (const { paymentId } of [raw, paypal]) {
      expect(await ledgerOf(paymentId)).toEqual([]);
      expect(await paymentRow(paymentId)).toBeUndefined();
    }
    expect((await everyStoredValue()).filter((v) => v.includes(TEST_CARDS.succeeds))).toEqual([]);
  });

  it("a paymentMethodId that is not a Stripe PaymentMethod (a card number, a token) is a 400 naming the field", async () => {
    const { api, deps } = setup();
    for (const id of [TEST_CARDS.succeeds, "tok_visa", "pm_", "pm_1 OR 1=1"]) {
      expect(await authorize(deps, stripeRequest(id))).toMatchObject({
        ok: false,
        problem: { status: 400, errors: [{ field: "payment.paymentMethodId" }] },
      });
    }
    expect(api.calls).toEqual([]);
  });

  it("maps a decline: card_declined, insufficient_funds and an expired card, with the card from the error's PaymentMethod", async () => {
    const { api, deps } = setup(
      stripeApi((req) => {
        const pm = new URLSearchParams(req.body).get("payment_method") ?? "";
        if (pm === PM.poor)
          return json(
            402,
            cardError(pm, { code: "card_declined", decline_code: "insufficient_funds" }, "Your card has insufficient funds."),
          );
        if (pm === PM.expired) return json(402, cardError(pm, { code: "expired_card" }, "Your card has expired."));
        return json(402, cardError(pm, { code: "card_declined", decline_code: "generic_decline" }, "Your card was declined."));
      }),
    );
    const declined = stripeRequest(PM.declined);
    expect(await authorize(deps, declined)).toEqual({
      ok: true,
      value: { outcome: "declined", reason: "card_declined", message: "Your card was declined.", card: { brand: "visa", last4: "0002" } },
    });
    expect(await authorize(deps, stripeRequest(PM.poor))).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "insufficient_funds", card: { last4: "9995" } },
    });
    expect(await authorize(deps, stripeRequest(PM.expired))).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "invalid_card", message: "Your card has expired.", card: { last4: "0069" } },
    });
    expect(api.calls.map((c) => new URLSearchParams(c.body).get("payment_method"))).toEqual([PM.declined, PM.poor, PM.expired]);
    expect(await paymentRow(declined.paymentId)).toMatchObject({
      status: "failed",
      providerRef: null,
      cardBrand: "visa",
      cardLast4: "0002",
    });
    expect(await ledgerOf(declined.paymentId)).toMatchObject([{ kind: "authorize", status: "declined" }]);
  });

  it("a PaymentMethod Stripe does not know (used up, another account's) is a final decline, not something to retry", async () => {
    const { api, deps } = setup();
    const req = stripeRequest("pm_1NotMadeByStripeJs");
    expect(await authorize(deps, req)).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "provider_error", message: "No such PaymentMethod: 'pm_1NotMadeByStripeJs'" },
    });
    // Final: the retry replays it without asking Stripe again.
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "declined", reason: "provider_error" } });
    expect(api.calls).toHaveLength(1);
  });

  it("Stripe's processing_error is `unavailable`, and the retry with the same key authorizes", async () => {
    let creates = 0;
    const { api, deps } = setup(
      stripeApi((req) =>
        ++creates === 1
          ? json(402, cardError(PM.processing, { code: "processing_error" }, "An error occurred while processing your card."))
          : createdIntent(req),
      ),
    );
    const req = stripeRequest(PM.processing);
    expect(await authorize(deps, req)).toMatchObject({
      ok: true,
      value: { outcome: "unavailable", message: expect.stringContaining("processing your card") },
    });
    expect(await authorize(deps, req)).toMatchObject({
      ok: true,
      value: { outcome: "authorized", payment: { card: { brand: "visa", last4: "0119" } } },
    });
    expect(api.calls.map((c) => c.headers["idempotency-key"])).toEqual([req.idempotencyKey, req.idempotencyKey]);
  });

  it("a 500 is `unavailable`, and the retry sends the same Idempotency-Key and PaymentMethod and records the answer", async () => {
    let creates = 0;
    const { api, deps } = setup(
      stripeApi((req) => (++creates === 1 ? json(500, { error: { type: "api_error", message: "boom" } }) : createdIntent(req))),
    );
    const req = stripeRequest(PM.visa);
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    const creations = api.to("/v1/payment_intents");
    expect(creations.map((c) => c.headers["idempotency-key"])).toEqual([req.idempotencyKey, req.idempotencyKey]);
    expect(creations[1]?.body).toBe(creations[0]?.body);
    // Final now: a third call replays it without asking Stripe.
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    expect(api.to("/v1/payment_intents")).toHaveLength(2);
    expect(await ledgerOf(req.paymentId)).toMatchObject([{ status: "authorized", attempts: 2 }]);
  });

  it("a network failure or a timeout is `unavailable`", async () => {
    const down = setup(recorder(() => Promise.reject(new TypeError("connection refused"))));
    expect(await authorize(down.deps, stripeRequest(PM.visa))).toMatchObject({
      ok: true,
      value: { outcome: "unavailable", message: expect.stringContaining("connection refused") },
    });
    // A Stripe that never answers: the call gives up at the deadline.
    const hanging: Fetch = (_url, init) =>
      new Promise<Response>((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    const slow = setup({ fetcher: hanging, calls: [], to: () => [] }, 20);
    expect(await authorize(slow.deps, stripeRequest(PM.visa))).toMatchObject({
      ok: true,
      value: { outcome: "unavailable", message: expect.stringContaining("no answer within 20 ms") },
    });
  });

  it("captures, cancels and refunds through their endpoints with each operation's own key", async () => {
    const { api, deps } = setup();
    const a = stripeRequest(PM.visa, 1000);
    await authorize(deps, a);
    const captureKey = uid("cap");
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({
      ok: true,
      value: { outcome: "captured", payment: { status: "captured", captured: 1000, card: { last4: "4242" } } },
    });
    const [captureCall] = api.to("/v1/payment_intents/pi_3Rec0rded/capture");
    expect(captureCall?.headers["idempotency-key"]).toBe(captureKey);

    const refundKey = uid("ref");
    const refunded = await refund(deps, a.paymentId, refundKey, { amount: 400, currency: "USD" });
    expect(refunded).toMatchObject({
      ok: true,
      value: { outcome: "refunded", refundId: expect.stringMatching(/^re_/), payment: { refunded: 400 } },
    });
    const [refundCall] = api.to("/v1/refunds");
    expect(refundCall?.headers["idempotency-key"]).toBe(refundKey);
    expect(formOf(refundCall)).toMatchObject({ payment_intent: "pi_3Rec0rded", amount: "400" });

    const b = stripeRequest(PM.visa);
    await authorize(deps, b);
    const voidKey = uid("void");
    expect(await voidPayment(deps, b.paymentId, voidKey)).toMatchObject({
      ok: true,
      value: { outcome: "voided", payment: { status: "voided" } },
    });
    expect(api.to("/v1/payment_intents/pi_3Rec0rded/cancel")[0]?.headers["idempotency-key"]).toBe(voidKey);
  });

  it("a refused refund (more than Stripe has left) is `refused`", async () => {
    const api = recorder((req) =>
      req.path === "/v1/refunds"
        ? json(400, {
            error: { type: "invalid_request_error", code: "charge_already_refunded", message: "Charge has already been refunded." },
          })
        : req.path.endsWith("/capture")
          ? json(200, intent({ status: "succeeded" }))
          : createdIntent(req),
    );
    const { deps } = setup(api);
    const a = stripeRequest(PM.visa);
    await authorize(deps, a);
    await capture(deps, a.paymentId, uid("cap"));
    expect(await refund(deps, a.paymentId, uid("ref"), { amount: 100, currency: "USD" })).toMatchObject({
      ok: true,
      value: { outcome: "refused", message: "Charge has already been refunded." },
    });
    expect(await paymentRow(a.paymentId)).toMatchObject({ refunded: 0, status: "captured" });
  });
});

describe("Stripe webhooks", () => {
  const event = (type: string, object: Record<string, unknown>, id = uid("evt")) =>
    JSON.stringify({ id, object: "event", type, data: { object } });
  const signed = async (rawBody: string, timestamp?: number) => ({
    provider: "stripe" as const,
    rawBody,
    headers: { "Stripe-Signature": await stripeSignature(WEBHOOK_SECRET, rawBody, timestamp) },
  });

  it("accepts a valid signature and refuses a forged, unsigned or stale one with 401", async () => {
    const { deps } = setup();
    const body = event("customer.created", { id: "cus_1" });
    expect(await handleWebhook(deps, await signed(body))).toMatchObject({ status: 200 });
    expect(await handleWebhook(deps, { provider: "stripe", rawBody: body, headers: {} })).toMatchObject({ status: 401 });
    const forged = await signed(body);
    expect(await handleWebhook(deps, { ...forged, rawBody: body.replace("cus_1", "cus_2") })).toMatchObject({ status: 401 });
    const wrongSecret = `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`;
    expect(await handleWebhook(deps, { provider: "stripe", rawBody: body, headers: { "stripe-signature": wrongSecret } })).toMatchObject({
      status: 401,
    });
    const stale = await signed(event("customer.created", { id: "cus_3" }), Math.floor(Date.now() / 1000) - 301);
    expect(await handleWebhook(deps, stale)).toMatchObject({ status: 401, detail: expect.stringContaining("older") });
    expect(await handleWebhook(deps, await signed("not json"))).toMatchObject({ status: 400 });
  });

  it("a pending authorization's capture waits for the webhook, which captures once however often it comes", async () => {
    const { api, deps } = setup(stripeApi((req) => createdIntent(req, { id: "pi_3Pending", status: "requires_action" })));
    const a = stripeRequest(PM.mastercard, 1000);
    expect(await authorize(deps, a)).toMatchObject({
      ok: true,
      value: { outcome: "pending", payment: { status: "pending", card: { brand: "mastercard", last4: "4444" } } },
    });

    const captureKey = uid("cap");
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(api.to("/v1/payment_intents/pi_3Pending/capture")).toHaveLength(0);

    // As the webhook sends it: the PaymentMethod is a bare id there.
    const capturable = intent({ id: "pi_3Pending", status: "requires_capture", metadata: { payment_id: a.paymentId } });
    const delivery = await signed(event("payment_intent.amount_capturable_updated", capturable, uid("evt_capturable")));
    expect(await handleWebhook(deps, delivery)).toMatchObject({ status: 200, detail: expect.stringContaining("captured") });
    const captures = api.to("/v1/payment_intents/pi_3Pending/capture");
    expect(captures).toHaveLength(1);
    expect(captures[0]?.headers["idempotency-key"]).toBe(captureKey);

    // The same event again, and another event of the same kind: no second capture.
    expect(await handleWebhook(deps, delivery)).toEqual({ status: 200, detail: expect.any(String), duplicate: true });
    expect(await handleWebhook(deps, await signed(event("payment_intent.amount_capturable_updated", capturable)))).toMatchObject({
      status: 200,
    });
    expect(api.to("/v1/payment_intents/pi_3Pending/capture")).toHaveLength(1);

    // The caller's retry learns the result from the ledger; the card stays what the PaymentMethod showed.
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({
      ok: true,
      value: { outcome: "captured", payment: { captured: 1000, card: { brand: "mastercard", last4: "4444" } } },
    });
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    expect(api.to("/v1/payment_intents/pi_3Pending/capture")).toHaveLength(1);
    expect(api.to("/v1/payment_intents")).toHaveLength(1);

    // payment_intent.succeeded for the capture we made is known already.
    const succeeded = intent({ id: "pi_3Pending", status: "succeeded", amount_received: 1000, metadata: { payment_id: a.paymentId } });
    expect(await handleWebhook(deps, await signed(event("payment_intent.succeeded", succeeded)))).toMatchObject({
      status: 200,
      detail: expect.stringContaining("already"),
    });
  });

  it("finds a payment on any shard by the PaymentIntent alone, and captures it on its own shard", async () => {
    const { api, deps } = setup(stripeApi((req) => createdIntent(req, { id: "pi_3OnShard3", status: "requires_action" })));
    const a = { ...stripeRequest(PM.visa, 1000), paymentId: orderIdOn(3) };
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "pending" } });
    expect(await capture(deps, a.paymentId, uid("cap"))).toMatchObject({ ok: true, value: { outcome: "unavailable" } });

    // No payment_id in the metadata: only the provider's reference says whose it is, and it names no shard.
    const capturable = intent({ id: "pi_3OnShard3", status: "requires_capture" });
    expect(await handleWebhook(deps, await signed(event("payment_intent.amount_capturable_updated", capturable)))).toMatchObject({
      status: 200,
      detail: expect.stringContaining("captured"),
    });
    expect(api.to("/v1/payment_intents/pi_3OnShard3/capture")).toHaveLength(1);
    expect(await paymentRow(a.paymentId)).toMatchObject({ status: "captured", captured: 1000 });
    expect(await rowsPerShard("payments", a.paymentId)).toEqual([0, 0, 0, 1]);
    expect(await rowsPerShard("ledger", a.paymentId)).toEqual([0, 0, 0, 2]);
  });

  it("payment_intent.payment_failed fails a pending authorization and the capture that waited for it", async () => {
    const { api, deps } = setup(stripeApi((req) => createdIntent(req, { id: "pi_3Fails", status: "requires_action" })));
    const a = stripeRequest(PM.visa);
    await authorize(deps, a);
    const captureKey = uid("cap");
    await capture(deps, a.paymentId, captureKey);
    const failedIntent = intent({
      id: "pi_3Fails",
      status: "requires_payment_method",
      metadata: { payment_id: a.paymentId },
      last_payment_error: { type: "card_error", code: "authentication_required", message: "3-D Secure failed." },
    });
    expect(await handleWebhook(deps, await signed(event("payment_intent.payment_failed", failedIntent)))).toMatchObject({ status: 200 });
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "declined", message: "3-D Secure failed." } });
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({ ok: true, value: { outcome: "refused" } });
    expect(api.to("/v1/payment_intents/pi_3Fails/capture")).toHaveLength(0);
    expect(await paymentRow(a.paymentId)).toMatchObject({ status: "failed" });
  });

  it("reconciles a refund made in the Stripe dashboard (charge.refunded) once", async () => {
    const { deps } = setup();
    const a = stripeRequest(PM.visa, 1000);
    await authorize(deps, a);
    await capture(deps, a.paymentId, uid("cap"));
    await refund(deps, a.paymentId, uid("ref"), { amount: 100, currency: "USD" });
    const charge = {
      id: "ch_3Rec0rded",
      object: "charge",
      payment_intent: "pi_3Rec0rded",
      amount_refunded: 350,
      metadata: { payment_id: a.paymentId },
    };
    const delivery = await signed(event("charge.refunded", charge));
    expect(await handleWebhook(deps, delivery)).toMatchObject({ status: 200 });
    expect(await handleWebhook(deps, delivery)).toMatchObject({ status: 200, duplicate: true });
    expect(await paymentRow(a.paymentId)).toMatchObject({ refunded: 350, status: "partially_refunded" });
    const refunds = (await ledgerOf(a.paymentId)).filter((r) => r.kind === "refund");
    expect(refunds.map((r) => r.amount).sort()).toEqual([100, 250]);
  });

  it("an authorization that arrives after the caller voided it is cancelled at Stripe", async () => {
    const { api, deps } = setup(stripeApi(() => json(503, { error: { type: "api_error", message: "overloaded" } })));
    const a = stripeRequest(PM.visa);
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(await voidPayment(deps, a.paymentId, uid("void"))).toEqual({ ok: true, value: { outcome: "voided", payment: null } });
    expect(api.to("/v1/payment_intents/pi_late/cancel")).toHaveLength(0);

    const late = intent({ id: "pi_late", status: "requires_capture", metadata: { payment_id: a.paymentId } });
    const delivery = await signed(event("payment_intent.amount_capturable_updated", late));
    expect(await handleWebhook(deps, delivery)).toMatchObject({ status: 200, detail: expect.stringContaining("released") });
    const cancels = api.to("/v1/payment_intents/pi_late/cancel");
    expect(cancels).toHaveLength(1);
    expect(cancels[0]?.headers["idempotency-key"]).toBe("late-void:stripe:pi_late");
    // Redelivered: released before, not cancelled again.
    expect(await handleWebhook(deps, await signed(event("payment_intent.amount_capturable_updated", late)))).toMatchObject({
      status: 200,
    });
    expect(api.to("/v1/payment_intents/pi_late/cancel")).toHaveLength(1);
  });
});
