import { z } from "zod";
import type { DeclineReason } from "#schema/payments.ts";
import { sha256Hex } from "#shared/crypto.ts";
import type {
  AuthorizeAnswer,
  AuthorizeCall,
  CaptureAnswer,
  CaptureCall,
  Fetch,
  PaymentProvider,
  RefundAnswer,
  RefundCall,
  VoidAnswer,
  VoidCall,
  WebhookEffect,
  WebhookRequest,
  WebhookVerdict,
} from "./provider.ts";
import { callProvider, type HttpAnswer, parseJson, retryable, toDecimal, toMinor } from "./provider-http.ts";

export type PayPalSettings = {
  apiBase: string;
  clientId: string;
  clientSecret: string;
  webhookId?: string | undefined;
  timeoutMs?: number;
  now?: () => number;
};

/**
 * A PayPal order waiting for the payer (3-D Secure, approval) has no authorization yet; we keep the order id
 * with this prefix so that capture and void know there is nothing to act on at PayPal yet.
 */
const ORDER_PREFIX = "order:";

const Money = z.object({ currency_code: z.string(), value: z.string() });
const Issue = z.object({ issue: z.string(), description: z.string().optional() }).loose();
const PayPalError = z.object({ name: z.string(), message: z.string().optional(), details: z.array(Issue).optional() }).loose();
type PayPalError = z.infer<typeof PayPalError>;

const Authorization = z
  .object({
    id: z.string(),
    status: z.string(),
    amount: Money.optional(),
    custom_id: z.string().optional(),
    processor_response: z.object({ response_code: z.string().optional() }).loose().optional(),
  })
  .loose();
// How an approved order was funded: a card (brand and last digits), or the payer's PayPal balance.
const PaymentSource = z
  .object({
    card: z
      .object({ last_digits: z.string().regex(/^\d{4}$/), brand: z.string().optional() })
      .loose()
      .optional(),
  })
  .loose();
const Order = z
  .object({
    id: z.string(),
    status: z.string(),
    payment_source: PaymentSource.optional(),
    purchase_units: z
      .array(
        z
          .object({
            payments: z
              .object({ authorizations: z.array(Authorization).optional() })
              .loose()
              .optional(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();
type Order = z.infer<typeof Order>;
const Token = z.object({ access_token: z.string(), expires_in: z.number() });
const Created = z.object({ id: z.string(), status: z.string() }).loose();
const Verification = z.object({ verification_status: z.string() });

const WebhookEvent = z.object({ id: z.string(), event_type: z.string(), resource: z.unknown() });
const Related = z
  .object({ related_ids: z.object({ order_id: z.string().optional(), authorization_id: z.string().optional() }).loose().optional() })
  .loose()
  .optional();
const Resource = z
  .object({
    id: z.string(),
    status: z.string().optional(),
    amount: Money.optional(),
    custom_id: z.string().optional(),
    supplementary_data: Related,
    links: z.array(z.object({ rel: z.string(), href: z.string() }).loose()).optional(),
  })
  .loose();

// PayPal's processor response codes (processor_response.response_code) in our words.
const INSUFFICIENT_FUNDS = new Set(["5120"]);
const INVALID_CARD = new Set(["5400", "5180", "1330", "00N7", "0390", "5650"]);
const INVALID_CARD_ISSUES = new Set([
  "CARD_EXPIRED",
  "INVALID_CARD_NUMBER",
  "CARD_TYPE_NOT_SUPPORTED",
  "INVALID_SECURITY_CODE",
  "INVALID_EXPIRY_DATE",
]);

function declineFromCode(code: string | undefined): DeclineReason {
  if (code !== undefined && INSUFFICIENT_FUNDS.has(code)) return "insufficient_funds";
  if (code !== undefined && INVALID_CARD.has(code)) return "invalid_card";
  return "card_declined";
}

const firstIssue = (error: PayPalError | undefined): string | undefined => error?.details?.[0]?.issue;

/**
 * PayPal Orders v2 over plain `fetch`: an OAuth client-credentials token, then the authorization of an order the
 * payer approved (intent AUTHORIZE), capture and void of its authorization, refund of the capture. The caller's key goes as
 * `PayPal-Request-Id`, which makes PayPal answer a retry with the first call's result.
 */
export class PayPalProvider implements PaymentProvider {
  readonly name = "paypal" as const;
  readonly accepts = "paypal" as const;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private token: { value: string; expiresAt: number } | undefined;

  constructor(
    private readonly settings: PayPalSettings,
    private readonly fetcher: Fetch,
  ) {
    this.timeoutMs = settings.timeoutMs ?? 20_000;
    this.now = settings.now ?? Date.now;
  }

  /**
   * Authorizes the order the payer approved in PayPal's buttons or card fields (the card never reaches us), then
   * checks it is for this checkout's amount: an order for another amount is voided at once and declined.
   */
  async authorize(call: AuthorizeCall): Promise<AuthorizeAnswer> {
    if (call.payment.method !== "paypal") {
      return { status: "declined", reason: "invalid_card", message: "PayPal takes an order the payer approved, never a card number" };
    }
    const requestId = await paypalRequestId(call.idempotencyKey);
    const sent = await this.send(`/v2/checkout/orders/${encodeURIComponent(call.payment.orderId)}/authorize`, {}, requestId);
    const answer = authorizationFrom(sent);
    // Approval is the payer's, in PayPal's buttons, before checkout: an order still waiting for it is not paid.
    if (answer.status === "needs_authorize" || (answer.status === "pending" && answer.providerRef.startsWith(ORDER_PREFIX))) {
      return { status: "declined", reason: "provider_error", message: "the payer has not approved the PayPal order" };
    }
    if (answer.status !== "authorized" && answer.status !== "pending") return answer;
    const order = sent.ok ? Order.safeParse(sent.body) : undefined;
    const authorized = order?.success ? order.data.purchase_units?.[0]?.payments?.authorizations?.[0]?.amount : undefined;
    const minor = authorized === undefined ? null : toMinor(authorized.value, authorized.currency_code);
    if (minor !== call.amount.amount || authorized?.currency_code !== call.amount.currency) {
      const voided = await this.void({
        paymentId: call.paymentId,
        providerRef: answer.providerRef,
        idempotencyKey: `${call.idempotencyKey}:wrong-amount`,
        pending: answer.status === "pending",
      });
      if (voided.status !== "voided") return { status: "unavailable", message: `PayPal: an order for the wrong amount is not voided yet` };
      const got = authorized === undefined ? "no amount" : `${authorized.value} ${authorized.currency_code}`;
      return {
        status: "declined",
        reason: "provider_error",
        message: `the PayPal order is for ${got}, not this checkout's ${toDecimal(call.amount.amount, call.amount.currency)} ${call.amount.currency}`,
      };
    }
    const card = order?.success ? order.data.payment_source?.card : undefined;
    return card === undefined ? answer : { ...answer, card: { brand: (card.brand ?? "card").toLowerCase(), last4: card.last_digits } };
  }

  async capture(call: CaptureCall): Promise<CaptureAnswer> {
    if (call.providerRef.startsWith(ORDER_PREFIX)) return { status: "refused", message: "the PayPal order has not been authorized yet" };
    const answer = await this.send(
      `/v2/payments/authorizations/${encodeURIComponent(call.providerRef)}/capture`,
      { final_capture: true },
      await paypalRequestId(call.idempotencyKey),
    );
    const settled = settle(answer);
    if (settled.status !== "answered") return settled;
    const capture = Created.safeParse(settled.body);
    if (settled.error === undefined && capture.success && (capture.data.status === "COMPLETED" || capture.data.status === "PENDING")) {
      return { status: "captured", providerRef: capture.data.id };
    }
    return {
      status: "refused",
      message: describe(settled.error) ?? `PayPal did not capture (status ${capture.data?.status ?? "unknown"})`,
    };
  }

  async void(call: VoidCall): Promise<VoidAnswer> {
    // Nothing is held before PayPal authorizes; an authorization that still comes is voided by its webhook.
    if (call.pending && call.providerRef.startsWith(ORDER_PREFIX)) return { status: "voided" };
    const answer = await this.send(
      `/v2/payments/authorizations/${encodeURIComponent(call.providerRef)}/void`,
      undefined,
      await paypalRequestId(call.idempotencyKey),
    );
    const settled = settle(answer);
    if (settled.status !== "answered") return settled;
    if (settled.error === undefined) return { status: "voided" };
    if (firstIssue(settled.error) === "PREVIOUSLY_VOIDED") return { status: "voided" };
    return { status: "refused", message: describe(settled.error) ?? "PayPal did not void the authorization" };
  }

  async refund(call: RefundCall): Promise<RefundAnswer> {
    if (call.captureRef === null) return { status: "refused", message: "there is no PayPal capture to refund" };
    const answer = await this.send(
      `/v2/payments/captures/${encodeURIComponent(call.captureRef)}/refund`,
      {
        amount: { currency_code: call.amount.currency, value: toDecimal(call.amount.amount, call.amount.currency) },
        custom_id: call.paymentId,
      },
      await paypalRequestId(call.idempotencyKey),
    );
    const settled = settle(answer);
    if (settled.status !== "answered") return settled;
    const refund = Created.safeParse(settled.body);
    if (settled.error === undefined && refund.success && (refund.data.status === "COMPLETED" || refund.data.status === "PENDING")) {
      return { status: "refunded", refundId: refund.data.id };
    }
    return { status: "refused", message: describe(settled.error) ?? `PayPal did not refund (status ${refund.data?.status ?? "unknown"})` };
  }

  /** PayPal signs with a certificate chain; its verify-webhook-signature call does the checking for us. */
  async verifyWebhook(delivery: WebhookRequest): Promise<WebhookVerdict> {
    const webhookId = this.settings.webhookId;
    if (webhookId === undefined)
      return { ok: false, status: 401, detail: "PAYPAL_WEBHOOK_ID is not set: no PayPal webhook can be verified" };
    const h = delivery.headers;
    const fields = {
      auth_algo: h["paypal-auth-algo"],
      cert_url: h["paypal-cert-url"],
      transmission_id: h["paypal-transmission-id"],
      transmission_sig: h["paypal-transmission-sig"],
      transmission_time: h["paypal-transmission-time"],
      webhook_id: webhookId,
    };
    if (Object.values(fields).some((v) => v === undefined || v === "")) {
      return { ok: false, status: 401, detail: "the PayPal transmission headers are missing" };
    }
    const event = WebhookEvent.safeParse(parseJson(delivery.rawBody));
    if (!event.success) return { ok: false, status: 400, detail: "the body is not a PayPal webhook event" };
    // The event goes back byte for byte: re-serialising it could change what the signature covers.
    const head = JSON.stringify(fields);
    const body = `${head.slice(0, -1)},"webhook_event":${delivery.rawBody}}`;
    const answer = await this.send("/v1/notifications/verify-webhook-signature", body, undefined);
    if (!answer.ok || retryable(answer.status) || answer.status === 401) {
      return { ok: false, status: 503, detail: `PayPal could not verify the webhook now: ${answer.ok ? answer.status : answer.message}` };
    }
    const verdict = Verification.safeParse(answer.body);
    if (answer.status !== 200 || !verdict.success || verdict.data.verification_status !== "SUCCESS") {
      return { ok: false, status: 401, detail: "PayPal did not verify the webhook signature" };
    }
    return {
      ok: true,
      event: { id: event.data.id, type: event.data.event_type, effect: paypalEffect(event.data.event_type, event.data.resource) },
    };
  }

  private async send(path: string, body: unknown, requestId: string | undefined): Promise<HttpAnswer> {
    const token = await this.accessToken();
    if (typeof token !== "string") return token;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      prefer: "return=representation",
    };
    if (requestId !== undefined) headers["paypal-request-id"] = requestId;
    const init: RequestInit = { method: "POST", headers };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    return callProvider(this.fetcher, `${this.settings.apiBase}${path}`, init, this.timeoutMs);
  }

  /** The OAuth token, fetched once and reused until a minute before it expires. */
  private async accessToken(): Promise<string | { ok: false; message: string }> {
    if (this.token !== undefined && this.token.expiresAt > this.now()) return this.token.value;
    const answer = await callProvider(
      this.fetcher,
      `${this.settings.apiBase}/v1/oauth2/token`,
      {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa(`${this.settings.clientId}:${this.settings.clientSecret}`)}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "grant_type=client_credentials",
      },
      this.timeoutMs,
    );
    if (!answer.ok) return { ok: false, message: `token: ${answer.message}` };
    const token = Token.safeParse(answer.body);
    if (answer.status !== 200 || !token.success) return { ok: false, message: `token: PayPal answered ${answer.status}` };
    this.token = { value: token.data.access_token, expiresAt: this.now() + Math.max(0, token.data.expires_in - 60) * 1000 };
    return this.token.value;
  }
}

type NeedsAuthorize = { status: "needs_authorize"; orderId: string };

/** An authorize-step answer: the order's authorization, or that the order still needs authorizing. */
function authorizationFrom(answer: HttpAnswer): AuthorizeAnswer | NeedsAuthorize {
  if (!answer.ok) return { status: "unavailable", message: `PayPal: ${answer.message}` };
  if (retryable(answer.status) || answer.status === 401 || answer.status === 409) {
    return { status: "unavailable", message: `PayPal answered ${answer.status}` };
  }
  if (answer.status >= 400) {
    const error = PayPalError.safeParse(answer.body);
    const issue = firstIssue(error.success ? error.data : undefined);
    if (answer.status === 422 && issue !== undefined) {
      const reason: DeclineReason = INVALID_CARD_ISSUES.has(issue) ? "invalid_card" : "card_declined";
      return { status: "declined", reason, message: describe(error.data) ?? "the card was declined" };
    }
    return { status: "declined", reason: "provider_error", message: describe(error.data) ?? `PayPal answered ${answer.status}` };
  }
  const parsed = Order.safeParse(answer.body);
  if (!parsed.success) return { status: "unavailable", message: "PayPal: unexpected order shape" };
  return fromOrder(parsed.data);
}

function fromOrder(order: Order): AuthorizeAnswer | NeedsAuthorize {
  const authorization = order.purchase_units?.[0]?.payments?.authorizations?.[0];
  if (authorization !== undefined) {
    switch (authorization.status) {
      case "CREATED":
      case "CAPTURED":
      case "PARTIALLY_CAPTURED":
        return { status: "authorized", providerRef: authorization.id };
      case "PENDING":
        return { status: "pending", providerRef: authorization.id };
      default: {
        const code = authorization.processor_response?.response_code;
        return {
          status: "declined",
          reason: declineFromCode(code),
          message: `PayPal ${authorization.status.toLowerCase()} the authorization${code ? ` (${code})` : ""}`,
        };
      }
    }
  }
  if (order.status === "PAYER_ACTION_REQUIRED") return { status: "pending", providerRef: `${ORDER_PREFIX}${order.id}` };
  if (order.status === "CREATED" || order.status === "APPROVED") return { status: "needs_authorize", orderId: order.id };
  return { status: "declined", reason: "provider_error", message: `PayPal order is ${order.status}` };
}

function settle(
  answer: HttpAnswer,
): { status: "unavailable"; message: string } | { status: "answered"; body: unknown; error: PayPalError | undefined } {
  if (!answer.ok) return { status: "unavailable", message: `PayPal: ${answer.message}` };
  if (retryable(answer.status) || answer.status === 401 || answer.status === 409)
    return { status: "unavailable", message: `PayPal answered ${answer.status}` };
  if (answer.status < 400) return { status: "answered", body: answer.body, error: undefined };
  const error = PayPalError.safeParse(answer.body);
  return { status: "answered", body: answer.body, error: error.success ? error.data : { name: `HTTP ${answer.status}` } };
}

const describe = (error: PayPalError | undefined): string | undefined =>
  error === undefined ? undefined : [error.name, firstIssue(error), error.message].filter(Boolean).join(": ");

/** PayPal-Request-Id is shorter than our keys may be: a long key goes as its hash (still one id per key). */
async function paypalRequestId(key: string): Promise<string> {
  return key.length <= 100 ? key : sha256Hex(key);
}

function paypalEffect(type: string, resource: unknown): WebhookEffect {
  const parsed = Resource.safeParse(resource);
  if (!parsed.success) return { kind: "none" };
  const r = parsed.data;
  const paymentId = r.custom_id ?? null;
  const minor = r.amount === undefined ? null : toMinor(r.amount.value, r.amount.currency_code);
  switch (type) {
    case "PAYMENT.AUTHORIZATION.CREATED":
      if (r.status === "PENDING") return { kind: "none" };
      return {
        kind: "authorized",
        paymentId,
        providerRef: r.id,
        amount: r.amount === undefined || minor === null ? null : { amount: minor, currency: r.amount.currency_code },
      };
    case "PAYMENT.AUTHORIZATION.VOIDED":
      return { kind: "voided", paymentId, providerRef: r.id };
    case "PAYMENT.CAPTURE.COMPLETED":
      if (minor === null) return { kind: "none" };
      return {
        kind: "captured",
        paymentId,
        providerRef: r.supplementary_data?.related_ids?.authorization_id ?? null,
        captureRef: r.id,
        amount: minor,
      };
    case "PAYMENT.CAPTURE.REFUNDED": {
      // A refund's `up` link names the capture it refunds: how to find the payment when custom_id is absent.
      const up = r.links?.find((l) => l.rel === "up")?.href;
      return {
        kind: "refunded",
        paymentId,
        providerRef: null,
        captureRef: up?.split("/").pop() ?? null,
        refundId: r.id,
        amount: minor,
        totalRefunded: null,
      };
    }
  }
  return { kind: "none" };
}
