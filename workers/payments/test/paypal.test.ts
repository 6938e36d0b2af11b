import { describe, expect, it } from "vitest";
import { TEST_CARDS } from "#schema/payments.ts";
import { sha256Hex } from "#shared/crypto.ts";
import { authorize } from "../src/authorize.ts";
import { capture } from "../src/capture.ts";
import { PayPalProvider } from "../src/paypal.ts";
import { toDecimal, toMinor } from "../src/provider-http.ts";
import { refund } from "../src/refund.ts";
import { voidPayment } from "../src/void-payment.ts";
import { handleWebhook } from "../src/webhook.ts";
import {
  authorizeRequest,
  depsWith,
  json,
  ledgerOf,
  paymentRow,
  paypalRequest,
  type Recorded,
  recorder,
  stripeRequest,
  uid,
} from "./helpers.ts";

const WEBHOOK_ID = "WH-RECORDED-1";
// Orders the payer approved in PayPal's buttons or card fields (intent AUTHORIZE, for 12.34 USD unless said otherwise).
const ORDER = "5O190127TN364715T";
const OTHER_ORDER = "8MC585209K746392H";

// PayPal-shaped responses (Orders v2, Payments v2, Notifications v1), trimmed to the fields that matter.
const paidByCard = { card: { name: "Ada Shopper", last_digits: "1111", brand: "VISA", type: "CREDIT" } };
const paidFromBalance = { paypal: { email_address: "payer@example.com", account_id: "QYR5Z8XDVJNXQ" } };
/** The order as POST /v2/checkout/orders/{id}/authorize answers it: COMPLETED, with its authorization. */
const authorizedOrder = (orderId: string, authorization: Record<string, unknown> = {}, source: unknown = paidByCard) => ({
  id: orderId,
  intent: "AUTHORIZE",
  status: "COMPLETED",
  payment_source: source,
  purchase_units: [
    {
      reference_id: "default",
      amount: { currency_code: "USD", value: "12.34" },
      payments: {
        authorizations: [{ id: `AUTH-${orderId}`, status: "CREATED", amount: { currency_code: "USD", value: "12.34" }, ...authorization }],
      },
    },
  ],
});
/** An order that has no authorization (yet). */
const unauthorizedOrder = (orderId: string, status: string) => ({
  id: orderId,
  intent: "AUTHORIZE",
  status,
  purchase_units: [{ reference_id: "default", amount: { currency_code: "USD", value: "12.34" } }],
});
const token = {
  scope: "https://uri.paypal.com/services/payments",
  access_token: "A21AA.recorded",
  token_type: "Bearer",
  expires_in: 32400,
};
const unprocessable = (issue: string) => ({
  name: "UNPROCESSABLE_ENTITY",
  message: "The requested action could not be performed.",
  details: [{ issue, description: issue }],
  debug_id: "b2c3d4",
});

type Route = (req: Recorded, calls: Recorded[]) => Response | Promise<Response> | undefined;
type OnAuthorize = (orderId: string, req: Recorded, calls: Recorded[]) => Response | undefined;

const AUTHORIZE_PATH = /^\/v2\/checkout\/orders\/([^/]+)\/authorize$/;
const authorizePath = (orderId: string) => `/v2/checkout/orders/${orderId}/authorize`;

/**
 * PayPal's API as recorded: a token, then the authorize answer of `onAuthorize` (the order authorized for 12.34
 * USD unless it says otherwise); capture, void and refund succeed. `extra` answers first, when it answers.
 */
function paypalApi(onAuthorize: OnAuthorize = (orderId) => json(201, authorizedOrder(orderId)), extra?: Route) {
  return recorder(async (req, calls) => {
    const special = await extra?.(req, calls);
    if (special !== undefined) return special;
    if (req.path === "/v1/oauth2/token") return json(200, token);
    const authorizing = AUTHORIZE_PATH.exec(req.path);
    if (authorizing !== null) return onAuthorize(decodeURIComponent(authorizing[1] ?? ""), req, calls) ?? json(500, {});
    if (req.path.endsWith("/capture")) return json(201, { id: "3C679366HH908993F", status: "COMPLETED" });
    if (req.path.endsWith("/void")) return new Response(null, { status: 204 });
    if (req.path.endsWith("/refund")) return json(201, { id: `1JU08902781691411-${calls.length}`, status: "COMPLETED" });
    if (req.path === "/v1/notifications/verify-webhook-signature") return json(200, { verification_status: "SUCCESS" });
    return json(404, { name: "RESOURCE_NOT_FOUND", details: [{ issue: "INVALID_RESOURCE_ID" }] });
  });
}

function setup(api = paypalApi()) {
  const paypal = new PayPalProvider(
    { apiBase: "https://api-m.sandbox.paypal.com", clientId: "client-id", clientSecret: "client-secret", webhookId: WEBHOOK_ID },
    api.fetcher,
  );
  return { api, paypal, deps: depsWith(paypal) };
}

const voidsAtPayPal = (calls: Recorded[]) => calls.filter((c) => c.path.endsWith("/void"));

/** Nothing of the payment holds money: declined, no provider reference, no authorization in the ledger. */
async function expectNothingHeld(paymentId: string) {
  expect(await paymentRow(paymentId)).toMatchObject({ status: "failed", providerRef: null });
  const rows = await ledgerOf(paymentId);
  expect(rows.filter((r) => r.kind === "authorize").map((r) => [r.status, r.providerRef])).toEqual([["declined", null]]);
}

describe("PayPal adapter: authorizing the payer's approved order", () => {
  it("gets one OAuth token, then authorizes the approved order at its /authorize path with our key as PayPal-Request-Id", async () => {
    const { api, deps } = setup();
    const req = paypalRequest(ORDER, 1234);
    expect(await authorize(deps, req)).toMatchObject({
      ok: true,
      value: {
        outcome: "authorized",
        payment: {
          provider: "paypal",
          providerRef: `AUTH-${ORDER}`,
          status: "authorized",
          amount: { amount: 1234, currency: "USD" },
          card: { brand: "visa", last4: "1111" },
        },
      },
    });
    // No order is created here: the payer's browser made and approved it.
    expect(api.calls.map((c) => c.path)).toEqual(["/v1/oauth2/token", authorizePath(ORDER)]);
    const [tokenCall, authorizeCall] = api.calls;
    expect(tokenCall?.headers.authorization).toBe(`Basic ${btoa("client-id:client-secret")}`);
    expect(tokenCall?.body).toBe("grant_type=client_credentials");
    expect(authorizeCall?.method).toBe("POST");
    expect(authorizeCall?.headers).toMatchObject({
      authorization: "Bearer A21AA.recorded",
      "paypal-request-id": req.idempotencyKey,
      "content-type": "application/json",
      prefer: "return=representation",
    });
    expect(JSON.parse(authorizeCall?.body ?? "")).toEqual({});
    expect(await paymentRow(req.paymentId)).toMatchObject({ cardBrand: "visa", cardLast4: "1111" });

    expect(await authorize(deps, paypalRequest(OTHER_ORDER, 1234))).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    expect(api.to("/v1/oauth2/token")).toHaveLength(1);
    expect(api.to(authorizePath(OTHER_ORDER))).toHaveLength(1);
  });

  it("an order paid from the payer's PayPal balance is authorized with no card to show", async () => {
    const { deps } = setup(paypalApi((orderId) => json(201, authorizedOrder(orderId, {}, paidFromBalance))));
    expect(await authorize(deps, paypalRequest(ORDER, 1234))).toMatchObject({
      ok: true,
      value: { outcome: "authorized", payment: { providerRef: `AUTH-${ORDER}`, card: null } },
    });
  });

  it("a card number, or a Stripe PaymentMethod, sent to a PayPal shop is a 400 naming payment.method; PayPal is never called", async () => {
    const { api, deps } = setup();
    const raw = authorizeRequest(TEST_CARDS.succeeds, 1234);
    expect(await authorize(deps, raw)).toMatchObject({
      ok: false,
      problem: { status: 400, detail: expect.stringContaining('"paypal"'), errors: [{ field: "payment.method" }] },
    });
    const stripe = stripeRequest("pm_1Rec0rdedVisa4242", 1234);
    expect(await authorize(deps, stripe)).toMatchObject({ ok: false, problem: { status: 400, errors: [{ field: "payment.method" }] } });
    expect(api.calls).toEqual([]);
    for (const { paymentId } of [raw, stripe]) {
      expect(await ledgerOf(paymentId)).toEqual([]);
      expect(await paymentRow(paymentId)).toBeUndefined();
    }
  });

  it("an orderId that is not a PayPal order id is a 400 naming payment.orderId, and nothing is sent", async () => {
    const { api, deps } = setup();
    for (const orderId of ["5O19/../../v1/oauth2", "5o190127tn364715t", "ORDER 1", "SHORT", "4242424242424242"]) {
      const refused = await authorize(deps, paypalRequest(orderId, 1234));
      expect(refused).toMatchObject({ ok: false, problem: { status: 400 } });
      // Each broken rule is named (a short id with a space breaks two), all on payment.orderId.
      const fields = refused.ok ? [] : (refused.problem.errors ?? []).map((e) => e.field);
      expect(fields.length).toBeGreaterThan(0);
      expect(new Set(fields)).toEqual(new Set(["payment.orderId"]));
    }
    expect(api.calls).toEqual([]);
  });

  it("an order for another amount is voided at PayPal at once and declined; nothing stays authorized", async () => {
    const { api, deps } = setup(
      paypalApi((orderId) => json(201, authorizedOrder(orderId, { id: "AUTH-WRONG", amount: { currency_code: "USD", value: "0.01" } }))),
    );
    const req = paypalRequest(ORDER, 1234);
    const declined = await authorize(deps, req);
    expect(declined).toEqual({
      ok: true,
      value: {
        outcome: "declined",
        reason: "provider_error",
        message: expect.stringMatching(/0\.01 USD.*12\.34 USD/),
        card: null,
      },
    });
    const voids = api.to("/v2/payments/authorizations/AUTH-WRONG/void");
    expect(voids).toHaveLength(1);
    expect(voids[0]?.headers["paypal-request-id"]).toBe(`${req.idempotencyKey}:wrong-amount`);
    await expectNothingHeld(req.paymentId);

    // The retry replays the decline without asking PayPal; there is nothing to capture, nothing more to void.
    const sent = api.calls.length;
    expect(await authorize(deps, req)).toEqual(declined);
    expect(await capture(deps, req.paymentId, uid("cap"))).toMatchObject({ ok: true, value: { outcome: "refused" } });
    expect(await voidPayment(deps, req.paymentId, uid("void"))).toEqual({ ok: true, value: { outcome: "voided", payment: null } });
    expect(api.calls).toHaveLength(sent);
  });

  it("an order for the same figure in another currency is voided at PayPal and declined", async () => {
    const { api, deps } = setup(
      paypalApi((orderId) => json(201, authorizedOrder(orderId, { id: "AUTH-EUR", amount: { currency_code: "EUR", value: "12.34" } }))),
    );
    const req = paypalRequest(ORDER, 1234, "USD");
    expect(await authorize(deps, req)).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "provider_error", message: expect.stringContaining("12.34 EUR") },
    });
    expect(api.to("/v2/payments/authorizations/AUTH-EUR/void")).toHaveLength(1);
    await expectNothingHeld(req.paymentId);
  });

  it("a wrong-amount order PayPal will not void yet is `unavailable`; the retry voids it under the same key, then declines", async () => {
    let voidTries = 0;
    const { api, deps } = setup(
      paypalApi(
        (orderId) => json(201, authorizedOrder(orderId, { id: "AUTH-WRONG", amount: { currency_code: "USD", value: "99.99" } })),
        (req) => (req.path.endsWith("/void") && ++voidTries === 1 ? json(503, { name: "SERVICE_UNAVAILABLE" }) : undefined),
      ),
    );
    const req = paypalRequest(ORDER, 1234);
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    // Money may still be held at PayPal: no answer is final yet, and no payment says it is authorized.
    expect(await paymentRow(req.paymentId)).toBeUndefined();
    expect(await ledgerOf(req.paymentId)).toMatchObject([{ kind: "authorize", status: "unavailable" }]);

    expect(await authorize(deps, req)).toMatchObject({
      ok: true,
      value: { outcome: "declined", message: expect.stringContaining("99.99 USD") },
    });
    expect(api.to(authorizePath(ORDER)).map((c) => c.headers["paypal-request-id"])).toEqual([req.idempotencyKey, req.idempotencyKey]);
    const voidKey = `${req.idempotencyKey}:wrong-amount`;
    expect(voidsAtPayPal(api.calls).map((c) => [c.path, c.headers["paypal-request-id"]])).toEqual([
      ["/v2/payments/authorizations/AUTH-WRONG/void", voidKey],
      ["/v2/payments/authorizations/AUTH-WRONG/void", voidKey],
    ]);
    await expectNothingHeld(req.paymentId);
    expect(await ledgerOf(req.paymentId)).toMatchObject([{ status: "declined", attempts: 2 }]);
  });

  it("an order the payer has not approved (or not finished approving) is declined, and nothing is voided", async () => {
    const answers: Record<string, Response> = {
      APPROVEDNOAUTH01: json(201, unauthorizedOrder("APPROVEDNOAUTH01", "APPROVED")),
      CREATEDNOAUTH001: json(201, unauthorizedOrder("CREATEDNOAUTH001", "CREATED")),
      // What PayPal answers to authorizing an order the payer never approved.
      NOTAPPROVED00001: json(422, unprocessable("ORDER_NOT_APPROVED")),
      PAYERACTION00001: json(200, unauthorizedOrder("PAYERACTION00001", "PAYER_ACTION_REQUIRED")),
    };
    const { api, deps } = setup(paypalApi((orderId) => answers[orderId]));
    for (const orderId of ["APPROVEDNOAUTH01", "CREATEDNOAUTH001"]) {
      const req = paypalRequest(orderId, 1234);
      expect(await authorize(deps, req)).toMatchObject({
        ok: true,
        value: { outcome: "declined", reason: "provider_error", message: "the payer has not approved the PayPal order" },
      });
      await expectNothingHeld(req.paymentId);
    }
    const notApproved = paypalRequest("NOTAPPROVED00001", 1234);
    expect(await authorize(deps, notApproved)).toMatchObject({
      ok: true,
      value: { outcome: "declined", message: expect.stringContaining("ORDER_NOT_APPROVED") },
    });
    await expectNothingHeld(notApproved.paymentId);
    const waiting = paypalRequest("PAYERACTION00001", 1234);
    expect(await authorize(deps, waiting)).toMatchObject({ ok: true, value: { outcome: "declined" } });
    await expectNothingHeld(waiting.paymentId);
    expect(api.to(authorizePath("PAYERACTION00001"))).toHaveLength(1);
    expect(voidsAtPayPal(api.calls)).toEqual([]);
  });

  it("maps denials: processor codes 5120 and 5400, INSTRUMENT_DECLINED, and an order PayPal does not know", async () => {
    const denied = (orderId: string, code: string) =>
      json(201, authorizedOrder(orderId, { status: "DENIED", processor_response: { response_code: code } }));
    const answers: Record<string, Response> = {
      DENIEDFUNDS00001: denied("DENIEDFUNDS00001", "5120"),
      DENIEDEXPIRED001: denied("DENIEDEXPIRED001", "5400"),
      DECLINEDCARD0001: json(422, unprocessable("INSTRUMENT_DECLINED")),
    };
    const { api, deps } = setup(paypalApi((orderId) => answers[orderId] ?? json(404, { name: "RESOURCE_NOT_FOUND" })));
    const poor = paypalRequest("DENIEDFUNDS00001", 1234);
    expect(await authorize(deps, poor)).toMatchObject({ ok: true, value: { outcome: "declined", reason: "insufficient_funds" } });
    expect(await authorize(deps, paypalRequest("DENIEDEXPIRED001", 1234))).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "invalid_card" },
    });
    expect(await authorize(deps, paypalRequest("DECLINEDCARD0001", 1234))).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "card_declined", message: expect.stringContaining("INSTRUMENT_DECLINED") },
    });
    expect(await authorize(deps, paypalRequest("NOSUCHORDER00001", 1234))).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "provider_error", message: expect.stringContaining("RESOURCE_NOT_FOUND") },
    });
    await expectNothingHeld(poor.paymentId);
    expect(voidsAtPayPal(api.calls)).toEqual([]);
  });

  it("a 503 is `unavailable`; the retry sends the same PayPal-Request-Id and records the authorization", async () => {
    let tries = 0;
    const { api, deps } = setup(
      paypalApi((orderId) => (++tries === 1 ? json(503, { name: "SERVICE_UNAVAILABLE" }) : json(201, authorizedOrder(orderId)))),
    );
    const req = paypalRequest(ORDER, 1234);
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(await authorize(deps, req)).toMatchObject({
      ok: true,
      value: { outcome: "authorized", payment: { providerRef: `AUTH-${ORDER}` } },
    });
    expect(api.to(authorizePath(ORDER)).map((c) => c.headers["paypal-request-id"])).toEqual([req.idempotencyKey, req.idempotencyKey]);
    // Final now: replayed without asking PayPal.
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    expect(api.to(authorizePath(ORDER))).toHaveLength(2);
    expect(await ledgerOf(req.paymentId)).toMatchObject([{ status: "authorized", attempts: 2 }]);
  });

  it("a key longer than PayPal-Request-Id takes goes as its SHA-256, the same on every try", async () => {
    let tries = 0;
    const { api, deps } = setup(
      paypalApi((orderId) => (++tries === 1 ? json(500, { name: "INTERNAL_SERVER_ERROR" }) : json(201, authorizedOrder(orderId)))),
    );
    const req = { ...paypalRequest(ORDER, 1234), idempotencyKey: `checkout:${"k".repeat(150)}` };
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    const hashed = await sha256Hex(req.idempotencyKey);
    expect(hashed).toMatch(/^[0-9a-f]{64}$/);
    expect(api.to(authorizePath(ORDER)).map((c) => c.headers["paypal-request-id"])).toEqual([hashed, hashed]);
  });

  it("captures, refunds and voids the authorization, each under its operation's key", async () => {
    const { api, deps } = setup();
    const a = paypalRequest(ORDER, 1234);
    expect(await authorize(deps, a)).toMatchObject({
      ok: true,
      value: { outcome: "authorized", payment: { providerRef: `AUTH-${ORDER}` } },
    });

    const captureKey = uid("cap");
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({
      ok: true,
      value: { outcome: "captured", payment: { captured: 1234, card: { last4: "1111" } } },
    });
    const [captureCall] = api.to(`/v2/payments/authorizations/AUTH-${ORDER}/capture`);
    expect(captureCall?.headers["paypal-request-id"]).toBe(captureKey);
    expect(JSON.parse(captureCall?.body ?? "")).toEqual({ final_capture: true });

    const refundKey = uid("ref");
    expect(await refund(deps, a.paymentId, refundKey, { amount: 500, currency: "USD" })).toMatchObject({
      ok: true,
      value: { outcome: "refunded", payment: { refunded: 500, status: "partially_refunded" } },
    });
    const [refundCall] = api.to("/v2/payments/captures/3C679366HH908993F/refund");
    expect(refundCall?.headers["paypal-request-id"]).toBe(refundKey);
    expect(JSON.parse(refundCall?.body ?? "")).toEqual({ amount: { currency_code: "USD", value: "5.00" }, custom_id: a.paymentId });

    const b = paypalRequest(OTHER_ORDER, 1234);
    await authorize(deps, b);
    const voidKey = uid("void");
    expect(await voidPayment(deps, b.paymentId, voidKey)).toMatchObject({
      ok: true,
      value: { outcome: "voided", payment: { status: "voided" } },
    });
    const voids = api.to(`/v2/payments/authorizations/AUTH-${OTHER_ORDER}/void`);
    expect(voids).toHaveLength(1);
    expect(voids[0]?.headers["paypal-request-id"]).toBe(voidKey);
  });

  it("an authorization PayPal refuses to void (already captured there) is a 409, not a silent success", async () => {
    const { deps } = setup(
      paypalApi(undefined, (req) => (req.path.endsWith("/void") ? json(422, unprocessable("AUTHORIZATION_ALREADY_CAPTURED")) : undefined)),
    );
    const a = paypalRequest(ORDER, 1234);
    await authorize(deps, a);
    expect(await voidPayment(deps, a.paymentId, uid("void"))).toMatchObject({ ok: false, problem: { status: 409 } });
    expect(await paymentRow(a.paymentId)).toMatchObject({ status: "authorized" });
  });

  it("converts minor units exactly, by the currency's digits", () => {
    expect(toDecimal(1234, "USD")).toBe("12.34");
    expect(toDecimal(5, "USD")).toBe("0.05");
    expect(toDecimal(1234, "JPY")).toBe("1234");
    expect(toDecimal(1234, "KWD")).toBe("1.234");
    expect(toMinor("12.34", "USD")).toBe(1234);
    expect(toMinor("12.3", "USD")).toBe(1230);
    expect(toMinor("1234", "JPY")).toBe(1234);
    expect(toMinor("1.999", "USD")).toBeNull();
  });
});

describe("PayPal webhooks", () => {
  const headers = {
    "PAYPAL-AUTH-ALGO": "SHA256withRSA",
    "PAYPAL-CERT-URL": "https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77",
    "PAYPAL-TRANSMISSION-ID": "103e3700-8b0c-11e6-b3e3-7ddb6d2f2b7c",
    "PAYPAL-TRANSMISSION-SIG": "t8LrtASc0Q6pDNl5z0vqP3cShvPdImqF6LrNWuByNz3",
    "PAYPAL-TRANSMISSION-TIME": new Date().toISOString(),
  };
  const event = (event_type: string, resource: Record<string, unknown>, id = uid("WH")) =>
    JSON.stringify({ id, event_version: "1.0", resource_type: "authorization", event_type, resource });

  it("verifies through verify-webhook-signature with our webhook id and the event as received", async () => {
    const { api, deps } = setup();
    const rawBody = event("CHECKOUT.ORDER.APPROVED", { id: ORDER });
    expect(await handleWebhook(deps, { provider: "paypal", rawBody, headers })).toMatchObject({ status: 200 });
    const [verify] = api.to("/v1/notifications/verify-webhook-signature");
    const sent = JSON.parse(verify?.body ?? "");
    expect(sent).toMatchObject({
      auth_algo: "SHA256withRSA",
      transmission_id: headers["PAYPAL-TRANSMISSION-ID"],
      transmission_sig: headers["PAYPAL-TRANSMISSION-SIG"],
      webhook_id: WEBHOOK_ID,
      webhook_event: JSON.parse(rawBody),
    });
    expect(verify?.body.endsWith(`"webhook_event":${rawBody}}`)).toBe(true);
  });

  it("a FAILURE verdict or missing headers are 401; a verification API outage is 503 and the event is not recorded", async () => {
    let outage = true;
    const { api, deps } = setup(
      paypalApi(undefined, (req) => {
        if (req.path !== "/v1/notifications/verify-webhook-signature") return undefined;
        if (outage) return json(500, { name: "INTERNAL_SERVICE_ERROR" });
        return json(200, { verification_status: req.body.includes('"transmission_sig":"forged"') ? "FAILURE" : "SUCCESS" });
      }),
    );
    const rawBody = event("CHECKOUT.ORDER.APPROVED", { id: ORDER });
    expect(await handleWebhook(deps, { provider: "paypal", rawBody, headers })).toMatchObject({ status: 503 });
    outage = false;
    expect(await handleWebhook(deps, { provider: "paypal", rawBody, headers })).toEqual({ status: 200, detail: expect.any(String) });
    expect(
      await handleWebhook(deps, { provider: "paypal", rawBody, headers: { ...headers, "PAYPAL-TRANSMISSION-SIG": "forged" } }),
    ).toMatchObject({
      status: 401,
    });
    const verifications = api.to("/v1/notifications/verify-webhook-signature").length;
    expect(await handleWebhook(deps, { provider: "paypal", rawBody, headers: {} })).toMatchObject({ status: 401 });
    expect(api.to("/v1/notifications/verify-webhook-signature")).toHaveLength(verifications);
  });

  it("PAYMENT.AUTHORIZATION.CREATED settles a pending authorization and runs the capture asked for, once", async () => {
    const { api, deps } = setup(paypalApi((orderId) => json(201, authorizedOrder(orderId, { id: "AUTH-PENDING", status: "PENDING" }))));
    const a = paypalRequest(ORDER, 1234);
    expect(await authorize(deps, a)).toMatchObject({
      ok: true,
      value: { outcome: "pending", payment: { status: "pending", providerRef: "AUTH-PENDING", card: { last4: "1111" } } },
    });
    expect(voidsAtPayPal(api.calls)).toEqual([]);
    const captureKey = uid("cap");
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(api.to("/v2/payments/authorizations/AUTH-PENDING/capture")).toHaveLength(0);

    // The payer's order carries no id of ours: the authorization is found by its own id.
    const created = event(
      "PAYMENT.AUTHORIZATION.CREATED",
      {
        id: "AUTH-PENDING",
        status: "CREATED",
        amount: { currency_code: "USD", value: "12.34" },
        supplementary_data: { related_ids: { order_id: ORDER } },
      },
      uid("WH-AUTH-CREATED"),
    );
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: created, headers })).toMatchObject({
      status: 200,
      detail: expect.stringContaining("captured as asked"),
    });
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: created, headers })).toMatchObject({ status: 200, duplicate: true });
    const captures = api.to("/v2/payments/authorizations/AUTH-PENDING/capture");
    expect(captures).toHaveLength(1);
    expect(captures[0]?.headers["paypal-request-id"]).toBe(captureKey);
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({
      ok: true,
      value: { outcome: "captured", payment: { providerRef: "AUTH-PENDING", captured: 1234 } },
    });

    // PAYMENT.CAPTURE.COMPLETED for that capture changes nothing more.
    const completed = event("PAYMENT.CAPTURE.COMPLETED", {
      id: "3C679366HH908993F",
      status: "COMPLETED",
      amount: { currency_code: "USD", value: "12.34" },
      supplementary_data: { related_ids: { authorization_id: "AUTH-PENDING" } },
    });
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: completed, headers })).toMatchObject({
      status: 200,
      detail: expect.stringContaining("already"),
    });
    expect(api.to("/v2/payments/authorizations/AUTH-PENDING/capture")).toHaveLength(1);
  });

  it("an authorization that arrives after the caller gave up and voided is voided at PayPal, once", async () => {
    const { api, deps } = setup(paypalApi(() => json(503, { name: "SERVICE_UNAVAILABLE" })));
    const a = paypalRequest(ORDER, 1234);
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    // Nothing is known to be held at PayPal: the void is ours alone.
    expect(await voidPayment(deps, a.paymentId, uid("void"))).toEqual({ ok: true, value: { outcome: "voided", payment: null } });
    expect(voidsAtPayPal(api.calls)).toEqual([]);

    // Found by custom_id: only an order created with our payment id there can be traced back to it.
    const resource = { id: "AUTH-TOO-LATE", status: "CREATED", amount: { currency_code: "USD", value: "12.34" }, custom_id: a.paymentId };
    const created = event("PAYMENT.AUTHORIZATION.CREATED", resource);
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: created, headers })).toMatchObject({
      status: 200,
      detail: expect.stringContaining("released"),
    });
    const voids = api.to("/v2/payments/authorizations/AUTH-TOO-LATE/void");
    expect(voids).toHaveLength(1);
    expect(voids[0]?.headers["paypal-request-id"]).toBe("late-void:paypal:AUTH-TOO-LATE");
    expect(api.to("/v2/payments/authorizations/AUTH-TOO-LATE/capture")).toHaveLength(0);
    // Another delivery of it (a new event id): released before, not voided again.
    await handleWebhook(deps, { provider: "paypal", rawBody: event("PAYMENT.AUTHORIZATION.CREATED", resource), headers });
    expect(api.to("/v2/payments/authorizations/AUTH-TOO-LATE/void")).toHaveLength(1);
  });

  it("PAYMENT.CAPTURE.COMPLETED records a capture made at PayPal itself, found by its authorization", async () => {
    const { deps } = setup(paypalApi((orderId) => json(201, authorizedOrder(orderId, { id: "AUTH-CAPTURED-ELSEWHERE" }))));
    const a = paypalRequest(ORDER, 1234);
    await authorize(deps, a);
    const completed = event("PAYMENT.CAPTURE.COMPLETED", {
      id: "CAPTURE-ELSEWHERE",
      status: "COMPLETED",
      amount: { currency_code: "USD", value: "12.34" },
      supplementary_data: { related_ids: { authorization_id: "AUTH-CAPTURED-ELSEWHERE" } },
    });
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: completed, headers })).toMatchObject({ status: 200 });
    expect(await paymentRow(a.paymentId)).toMatchObject({ status: "captured", captured: 1234 });
  });
});
