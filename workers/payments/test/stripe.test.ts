import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ledger, payments } from "../../../schema/payments/tables.ts";
import { TEST_CARDS } from "../../../schema/payments.ts";
import { authorize } from "../src/authorize.ts";
import { capture } from "../src/capture.ts";
import { refund } from "../src/refund.ts";
import { StripeProvider } from "../src/stripe.ts";
import { voidPayment } from "../src/void-payment.ts";
import { handleWebhook } from "../src/webhook.ts";
import { authorizeRequest, db, depsWith, json, type Recorded, recorder, stripeSignature, uid } from "./helpers.ts";

const SECRET_KEY = "sk_test_recorded";
const WEBHOOK_SECRET = "whsec_recorded";

// Stripe-shaped responses, as the API answers them (trimmed to the fields that matter).
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
  ...over,
});
const cardError = (decline_code: string, message: string) => ({
  error: {
    type: "card_error",
    code: "card_declined",
    decline_code,
    message,
    payment_intent: { id: "pi_3Declined", object: "payment_intent", status: "requires_payment_method" },
  },
});

type Route = (req: Recorded, calls: Recorded[]) => Response | Promise<Response>;

/** Stripe's API as recorded: authorize answers what `onCreate` says; capture, cancel and refunds succeed. */
function stripeApi(onCreate: Route = () => json(200, intent())) {
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

function setup(api = stripeApi(), now = Date.now) {
  const stripe = new StripeProvider(
    { apiBase: "https://api.stripe.test", secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, now },
    api.fetcher,
  );
  return { api, stripe, deps: depsWith(stripe) };
}

describe("Stripe adapter: PaymentIntents", () => {
  it("authorizes with a manual-capture PaymentIntent, sending our key as Idempotency-Key and never the card number", async () => {
    const { api, deps } = setup();
    const req = authorizeRequest(TEST_CARDS.succeeds, 1000);
    const result = await authorize(deps, req);
    expect(result).toMatchObject({
      ok: true,
      value: { outcome: "authorized", payment: { provider: "stripe", providerRef: "pi_3Rec0rded" } },
    });
    const [sent] = api.calls;
    expect(sent?.method).toBe("POST");
    expect(sent?.headers).toMatchObject({
      authorization: `Bearer ${SECRET_KEY}`,
      "idempotency-key": req.idempotencyKey,
      "content-type": "application/x-www-form-urlencoded",
    });
    const form = new URLSearchParams(sent?.body);
    expect(Object.fromEntries(form)).toMatchObject({
      amount: "1000",
      currency: "usd",
      capture_method: "manual",
      confirm: "true",
      payment_method: "pm_card_visa",
      "metadata[payment_id]": req.paymentId,
    });
    expect(sent?.body).not.toContain(TEST_CARDS.succeeds);
    expect([...form.keys()].filter((k) => /card|cvc|number|exp/.test(k))).toEqual([]);
  });

  it("maps a decline's decline_code: card_declined and insufficient_funds", async () => {
    const { api, deps } = setup(
      stripeApi((req) => {
        const pm = new URLSearchParams(req.body).get("payment_method");
        if (pm === "pm_card_chargeDeclinedInsufficientFunds")
          return json(402, cardError("insufficient_funds", "Your card has insufficient funds."));
        return json(402, cardError("generic_decline", "Your card was declined."));
      }),
    );
    expect(await authorize(deps, authorizeRequest(TEST_CARDS.declined))).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "card_declined", message: "Your card was declined.", card: { last4: "0002" } },
    });
    const poor = authorizeRequest(TEST_CARDS.insufficientFunds);
    expect(await authorize(deps, poor)).toMatchObject({ ok: true, value: { outcome: "declined", reason: "insufficient_funds" } });
    expect(new URLSearchParams(api.calls[0]?.body).get("payment_method")).toBe("pm_card_chargeDeclined");
    const [row] = await db.select().from(payments).where(eq(payments.paymentId, poor.paymentId));
    expect(row?.status).toBe("failed");
  });

  it("a 500 is `unavailable`, and the retry sends the same Idempotency-Key and records the answer", async () => {
    let creates = 0;
    const { api, deps } = setup(
      stripeApi(() => (++creates === 1 ? json(500, { error: { type: "api_error", message: "boom" } }) : json(200, intent()))),
    );
    const req = authorizeRequest(TEST_CARDS.succeeds);
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    const keys = api.to("/v1/payment_intents").map((c) => c.headers["idempotency-key"]);
    expect(keys).toEqual([req.idempotencyKey, req.idempotencyKey]);
    // Final now: a third call replays it without asking Stripe.
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    expect(api.to("/v1/payment_intents")).toHaveLength(2);
    const rows = await db.select().from(ledger).where(eq(ledger.paymentId, req.paymentId));
    expect(rows).toMatchObject([{ status: "authorized", attempts: 2 }]);
  });

  it("a network failure or a timeout is `unavailable`", async () => {
    const down = setup(recorder(() => Promise.reject(new TypeError("connection refused"))));
    expect(await authorize(down.deps, authorizeRequest(TEST_CARDS.succeeds))).toMatchObject({
      ok: true,
      value: { outcome: "unavailable", message: expect.stringContaining("connection refused") },
    });
  });

  it("captures, cancels and refunds through their endpoints with each operation's own key", async () => {
    const { api, deps } = setup();
    const a = authorizeRequest(TEST_CARDS.succeeds, 1000);
    await authorize(deps, a);
    const captureKey = uid("cap");
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({
      ok: true,
      value: { outcome: "captured", payment: { status: "captured", captured: 1000 } },
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
    expect(Object.fromEntries(new URLSearchParams(refundCall?.body))).toMatchObject({ payment_intent: "pi_3Rec0rded", amount: "400" });

    const b = authorizeRequest(TEST_CARDS.succeeds);
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
          : json(200, intent()),
    );
    const { deps } = setup(api);
    const a = authorizeRequest(TEST_CARDS.succeeds);
    await authorize(deps, a);
    await capture(deps, a.paymentId, uid("cap"));
    expect(await refund(deps, a.paymentId, uid("ref"), { amount: 100, currency: "USD" })).toMatchObject({
      ok: true,
      value: { outcome: "refused", message: "Charge has already been refunded." },
    });
    const [row] = await db.select().from(payments).where(eq(payments.paymentId, a.paymentId));
    expect(row).toMatchObject({ refunded: 0, status: "captured" });
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
    const { api, deps } = setup(stripeApi(() => json(200, intent({ id: "pi_3Pending", status: "requires_action" }))));
    const a = authorizeRequest(TEST_CARDS.succeeds, 1000);
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "pending", payment: { status: "pending" } } });

    const captureKey = uid("cap");
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(api.to("/v1/payment_intents/pi_3Pending/capture")).toHaveLength(0);

    const capturable = intent({ id: "pi_3Pending", status: "requires_capture", metadata: { payment_id: a.paymentId } });
    const delivery = await signed(event("payment_intent.amount_capturable_updated", capturable, "evt_capturable_1"));
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

    // The caller's retry learns the result from the ledger.
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({
      ok: true,
      value: { outcome: "captured", payment: { captured: 1000 } },
    });
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    expect(api.to("/v1/payment_intents/pi_3Pending/capture")).toHaveLength(1);

    // payment_intent.succeeded for the capture we made is known already.
    const succeeded = intent({ id: "pi_3Pending", status: "succeeded", amount_received: 1000, metadata: { payment_id: a.paymentId } });
    expect(await handleWebhook(deps, await signed(event("payment_intent.succeeded", succeeded)))).toMatchObject({
      status: 200,
      detail: expect.stringContaining("already"),
    });
  });

  it("payment_intent.payment_failed fails a pending authorization and the capture that waited for it", async () => {
    const { api, deps } = setup(stripeApi(() => json(200, intent({ id: "pi_3Fails", status: "requires_action" }))));
    const a = authorizeRequest(TEST_CARDS.succeeds);
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
  });

  it("reconciles a refund made in the Stripe dashboard (charge.refunded) once", async () => {
    const { deps } = setup();
    const a = authorizeRequest(TEST_CARDS.succeeds, 1000);
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
    const [row] = await db.select().from(payments).where(eq(payments.paymentId, a.paymentId));
    expect(row).toMatchObject({ refunded: 350, status: "partially_refunded" });
    const refunds = (await db.select().from(ledger).where(eq(ledger.paymentId, a.paymentId))).filter((r) => r.kind === "refund");
    expect(refunds.map((r) => r.amount).sort()).toEqual([100, 250]);
  });

  it("an authorization that arrives after the caller voided it is cancelled at Stripe", async () => {
    const { api, deps } = setup(stripeApi(() => json(503, { error: { type: "api_error", message: "overloaded" } })));
    const a = authorizeRequest(TEST_CARDS.succeeds);
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(await voidPayment(deps, a.paymentId, uid("void"))).toEqual({ ok: true, value: { outcome: "voided", payment: null } });
    expect(api.to("/v1/payment_intents/pi_late/cancel")).toHaveLength(0);

    const late = intent({ id: "pi_late", status: "requires_capture", metadata: { payment_id: a.paymentId } });
    const delivery = await signed(event("payment_intent.amount_capturable_updated", late));
    expect(await handleWebhook(deps, delivery)).toMatchObject({ status: 200, detail: expect.stringContaining("released") });
    expect(api.to("/v1/payment_intents/pi_late/cancel")).toHaveLength(1);
  });
});
