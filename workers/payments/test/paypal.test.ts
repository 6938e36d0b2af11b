import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { payments } from "../../../schema/payments/tables.ts";
import { TEST_CARDS } from "../../../schema/payments.ts";
import { authorize } from "../src/authorize.ts";
import { capture } from "../src/capture.ts";
import { PayPalProvider } from "../src/paypal.ts";
import { toDecimal, toMinor } from "../src/provider-http.ts";
import { refund } from "../src/refund.ts";
import { voidPayment } from "../src/void-payment.ts";
import { handleWebhook } from "../src/webhook.ts";
import { authorizeRequest, db, depsWith, json, type Recorded, recorder, uid } from "./helpers.ts";

const WEBHOOK_ID = "WH-RECORDED-1";

// PayPal-shaped responses (Orders v2, Payments v2, Notifications v1), trimmed to the fields that matter.
const order = (authorization: Record<string, unknown> | null, status = "COMPLETED") => ({
  id: "5O190127TN364715T",
  intent: "AUTHORIZE",
  status,
  purchase_units: [
    {
      reference_id: "ref",
      payments: authorization === null ? {} : { authorizations: [{ amount: { currency_code: "USD", value: "12.34" }, ...authorization }] },
    },
  ],
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

/** PayPal's API as recorded: a token, then the orders answer of `onOrder`; capture, void and refund succeed. */
function paypalApi(onOrder: Route = () => json(201, order({ id: "0VF52814937998046", status: "CREATED" })), extra?: Route) {
  return recorder(async (req, calls) => {
    const special = extra?.(req, calls);
    if (special !== undefined) return special;
    if (req.path === "/v1/oauth2/token") return json(200, token);
    if (req.path === "/v2/checkout/orders") return (await onOrder(req, calls)) ?? json(500, {});
    if (req.path.endsWith("/capture")) return json(201, { id: "3C679366HH908993F", status: "COMPLETED" });
    if (req.path.endsWith("/void")) return new Response(null, { status: 204 });
    if (req.path.endsWith("/refund")) return json(201, { id: `1JU08902781691411-${calls.length}`, status: "COMPLETED" });
    if (req.path === "/v1/notifications/verify-webhook-signature") return json(200, { verification_status: "SUCCESS" });
    return json(404, { name: "RESOURCE_NOT_FOUND" });
  });
}

function setup(api = paypalApi()) {
  const paypal = new PayPalProvider(
    { apiBase: "https://api-m.sandbox.paypal.com", clientId: "client-id", clientSecret: "client-secret", webhookId: WEBHOOK_ID },
    api.fetcher,
  );
  return { api, paypal, deps: depsWith(paypal) };
}

describe("PayPal adapter: Orders v2", () => {
  it("gets one OAuth token, then creates an AUTHORIZE order with our key as PayPal-Request-Id", async () => {
    const { api, deps } = setup();
    const req = authorizeRequest(TEST_CARDS.succeeds, 1234);
    expect(await authorize(deps, req)).toMatchObject({
      ok: true,
      value: { outcome: "authorized", payment: { provider: "paypal", providerRef: "0VF52814937998046", card: { last4: "4242" } } },
    });
    const [tokenCall] = api.to("/v1/oauth2/token");
    expect(tokenCall?.headers.authorization).toBe(`Basic ${btoa("client-id:client-secret")}`);
    expect(tokenCall?.body).toBe("grant_type=client_credentials");
    const [create] = api.to("/v2/checkout/orders");
    expect(create?.headers).toMatchObject({ authorization: "Bearer A21AA.recorded", "paypal-request-id": req.idempotencyKey });
    expect(JSON.parse(create?.body ?? "")).toMatchObject({
      intent: "AUTHORIZE",
      purchase_units: [{ custom_id: req.paymentId, amount: { currency_code: "USD", value: "12.34" } }],
    });

    await authorize(deps, authorizeRequest(TEST_CARDS.succeeds));
    expect(api.to("/v1/oauth2/token")).toHaveLength(1);
  });

  it("maps denials: processor code 5120 is insufficient funds, INSTRUMENT_DECLINED is a decline", async () => {
    const { api, deps } = setup(
      paypalApi((req) => {
        if (req.body.includes('"name":"CCREJECT-IF"')) {
          return json(201, order({ id: "DENIED1", status: "DENIED", processor_response: { response_code: "5120" } }));
        }
        return json(422, unprocessable("INSTRUMENT_DECLINED"));
      }),
    );
    expect(await authorize(deps, authorizeRequest(TEST_CARDS.insufficientFunds))).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "insufficient_funds" },
    });
    expect(await authorize(deps, authorizeRequest(TEST_CARDS.declined))).toMatchObject({
      ok: true,
      value: { outcome: "declined", reason: "card_declined", message: expect.stringContaining("INSTRUMENT_DECLINED") },
    });
    expect(api.to("/v2/checkout/orders")[1]?.body).toContain('"name":"CCREJECT-REFUSED"');
  });

  it("a 503 is `unavailable`; the retry sends the same PayPal-Request-Id", async () => {
    let creates = 0;
    const { api, deps } = setup(paypalApi(() => (++creates === 1 ? json(503, { name: "SERVICE_UNAVAILABLE" }) : undefined)));
    const req = authorizeRequest(TEST_CARDS.succeeds);
    expect(await authorize(deps, req)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    const second = await authorize(deps, req);
    // The recorder's second answer is a 500 (undefined above): still unavailable, still the same key.
    expect(second).toMatchObject({ ok: true, value: { outcome: "unavailable" } });
    expect(api.to("/v2/checkout/orders").map((c) => c.headers["paypal-request-id"])).toEqual([req.idempotencyKey, req.idempotencyKey]);
  });

  it("authorizes an order PayPal created without authorizing, then captures, refunds and voids the authorization", async () => {
    const { api, deps } = setup(
      paypalApi(
        () => json(201, order(null, "APPROVED")),
        (req) =>
          req.path === "/v2/checkout/orders/5O190127TN364715T/authorize"
            ? json(201, order({ id: "AUTH-2", status: "CREATED" }))
            : undefined,
      ),
    );
    const a = authorizeRequest(TEST_CARDS.succeeds, 1234);
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "authorized", payment: { providerRef: "AUTH-2" } } });
    expect(api.to("/v2/checkout/orders/5O190127TN364715T/authorize")[0]?.headers["paypal-request-id"]).toBe(`${a.idempotencyKey}-auth`);

    const captureKey = uid("cap");
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({
      ok: true,
      value: { outcome: "captured", payment: { captured: 1234 } },
    });
    const [captureCall] = api.to("/v2/payments/authorizations/AUTH-2/capture");
    expect(captureCall?.headers["paypal-request-id"]).toBe(captureKey);
    expect(JSON.parse(captureCall?.body ?? "")).toEqual({ final_capture: true });

    const refundKey = uid("ref");
    expect(await refund(deps, a.paymentId, refundKey, { amount: 500, currency: "USD" })).toMatchObject({
      ok: true,
      value: { outcome: "refunded", payment: { refunded: 500, status: "partially_refunded" } },
    });
    const [refundCall] = api.to("/v2/payments/captures/3C679366HH908993F/refund");
    expect(refundCall?.headers["paypal-request-id"]).toBe(refundKey);
    expect(JSON.parse(refundCall?.body ?? "")).toMatchObject({ amount: { currency_code: "USD", value: "5.00" } });

    const b = authorizeRequest(TEST_CARDS.succeeds);
    await authorize(deps, b);
    expect(await voidPayment(deps, b.paymentId, uid("void"))).toMatchObject({
      ok: true,
      value: { outcome: "voided", payment: { status: "voided" } },
    });
    expect(api.to("/v2/payments/authorizations/AUTH-2/void")).toHaveLength(1);
  });

  it("an authorization PayPal refuses to void (already captured there) is a 409, not a silent success", async () => {
    const { deps } = setup(
      paypalApi(undefined, (req) => (req.path.endsWith("/void") ? json(422, unprocessable("AUTHORIZATION_ALREADY_CAPTURED")) : undefined)),
    );
    const a = authorizeRequest(TEST_CARDS.succeeds);
    await authorize(deps, a);
    expect(await voidPayment(deps, a.paymentId, uid("void"))).toMatchObject({ ok: false, problem: { status: 409 } });
    const [row] = await db.select().from(payments).where(eq(payments.paymentId, a.paymentId));
    expect(row?.status).toBe("authorized");
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
    const rawBody = event("CHECKOUT.ORDER.APPROVED", { id: "5O190127TN364715T" });
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
    const rawBody = event("CHECKOUT.ORDER.APPROVED", { id: "5O190127TN364715T" });
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

  it("PAYMENT.AUTHORIZATION.CREATED settles a pending order and runs the capture asked for, once", async () => {
    const { api, deps } = setup(paypalApi(() => json(200, order(null, "PAYER_ACTION_REQUIRED"))));
    const a = authorizeRequest(TEST_CARDS.succeeds, 1234);
    expect(await authorize(deps, a)).toMatchObject({ ok: true, value: { outcome: "pending", payment: { status: "pending" } } });
    const captureKey = uid("cap");
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({ ok: true, value: { outcome: "unavailable" } });

    const created = event(
      "PAYMENT.AUTHORIZATION.CREATED",
      {
        id: "AUTH-LATER",
        status: "CREATED",
        amount: { currency_code: "USD", value: "12.34" },
        custom_id: a.paymentId,
        supplementary_data: { related_ids: { order_id: "5O190127TN364715T" } },
      },
      "WH-AUTH-CREATED-1",
    );
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: created, headers })).toMatchObject({ status: 200 });
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: created, headers })).toMatchObject({ status: 200, duplicate: true });
    const captures = api.to("/v2/payments/authorizations/AUTH-LATER/capture");
    expect(captures).toHaveLength(1);
    expect(captures[0]?.headers["paypal-request-id"]).toBe(captureKey);
    expect(await capture(deps, a.paymentId, captureKey)).toMatchObject({
      ok: true,
      value: { outcome: "captured", payment: { providerRef: "AUTH-LATER" } },
    });

    // PAYMENT.CAPTURE.COMPLETED for that capture changes nothing more.
    const completed = event("PAYMENT.CAPTURE.COMPLETED", {
      id: "3C679366HH908993F",
      status: "COMPLETED",
      amount: { currency_code: "USD", value: "12.34" },
      custom_id: a.paymentId,
      supplementary_data: { related_ids: { authorization_id: "AUTH-LATER" } },
    });
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: completed, headers })).toMatchObject({
      status: 200,
      detail: expect.stringContaining("already"),
    });
    expect(api.to("/v2/payments/authorizations/AUTH-LATER/capture")).toHaveLength(1);
  });

  it("an order voided while it waited for the payer has its late authorization voided at PayPal", async () => {
    const { api, deps } = setup(paypalApi(() => json(200, order(null, "PAYER_ACTION_REQUIRED"))));
    const a = authorizeRequest(TEST_CARDS.succeeds, 1234);
    await authorize(deps, a);
    // Nothing is held at PayPal yet: the void is ours alone.
    expect(await voidPayment(deps, a.paymentId, uid("void"))).toMatchObject({
      ok: true,
      value: { outcome: "voided", payment: { status: "voided" } },
    });
    expect(api.calls.filter((c) => c.path.endsWith("/void"))).toHaveLength(0);

    const created = event("PAYMENT.AUTHORIZATION.CREATED", {
      id: "AUTH-TOO-LATE",
      status: "CREATED",
      amount: { currency_code: "USD", value: "12.34" },
      custom_id: a.paymentId,
    });
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: created, headers })).toMatchObject({ status: 200 });
    expect(api.to("/v2/payments/authorizations/AUTH-TOO-LATE/void")).toHaveLength(1);
    expect(api.to("/v2/payments/authorizations/AUTH-TOO-LATE/capture")).toHaveLength(0);
  });

  it("PAYMENT.CAPTURE.COMPLETED records a capture made at PayPal itself", async () => {
    const { deps } = setup();
    const a = authorizeRequest(TEST_CARDS.succeeds, 1234);
    await authorize(deps, a);
    const completed = event("PAYMENT.CAPTURE.COMPLETED", {
      id: "CAPTURE-ELSEWHERE",
      status: "COMPLETED",
      amount: { currency_code: "USD", value: "12.34" },
      custom_id: a.paymentId,
    });
    expect(await handleWebhook(deps, { provider: "paypal", rawBody: completed, headers })).toMatchObject({ status: 200 });
    const [row] = await db.select().from(payments).where(eq(payments.paymentId, a.paymentId));
    expect(row).toMatchObject({ status: "captured", captured: 1234 });
  });
});
