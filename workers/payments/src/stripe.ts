import { z } from "zod";
import type { CardSummary, DeclineReason } from "#schema/payments.ts";
import { timestampedSignatureProblem } from "#shared/crypto.ts";
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
import { callProvider, type HttpAnswer, parseJson, retryable } from "./provider-http.ts";

export type StripeSettings = {
  apiBase: string;
  secretKey: string;
  webhookSecret?: string | undefined;
  timeoutMs?: number;
  /** Clock for the webhook timestamp check (ms). */
  now?: () => number;
};

// Pinned so that a change of the account's default API version cannot change the shapes parsed here.
const STRIPE_VERSION = "2024-06-20";
const WEBHOOK_TOLERANCE_SECONDS = 300;

// Stripe takes no raw card numbers from a server (keeping us out of PCI scope): the shopper's browser turns the
// card into a PaymentMethod with Stripe.js, and authorize confirms a PaymentIntent with that id. The card's brand
// and last four digits come back on the expanded PaymentMethod.
const PaymentMethodCard = z
  .object({
    card: z
      .object({ brand: z.string(), last4: z.string().regex(/^\d{4}$/) })
      .loose()
      .nullish(),
  })
  .loose();
const cardOf = (pm: unknown): CardSummary | undefined => {
  const parsed = PaymentMethodCard.safeParse(pm);
  const card = parsed.success ? parsed.data.card : null;
  return card ? { brand: card.brand, last4: card.last4 } : undefined;
};

const Metadata = z.record(z.string(), z.string()).nullish();

const StripeErrorBody = z.object({
  type: z.string(),
  code: z.string().optional(),
  decline_code: z.string().optional(),
  message: z.string().optional(),
  payment_intent: z.object({ id: z.string(), status: z.string() }).loose().optional(),
  payment_method: z.unknown().optional(),
});
type StripeErrorBody = z.infer<typeof StripeErrorBody>;
const StripeError = z.object({ error: StripeErrorBody });

const PaymentIntent = z
  .object({
    id: z.string(),
    status: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    amount_received: z.number().int().optional(),
    latest_charge: z.string().nullish(),
    metadata: Metadata,
    last_payment_error: StripeErrorBody.nullish(),
    payment_method: z.unknown().optional(),
  })
  .loose();
type PaymentIntent = z.infer<typeof PaymentIntent>;

const Refund = z.object({ id: z.string(), status: z.string().nullish(), failure_reason: z.string().nullish() }).loose();

const Charge = z
  .object({
    id: z.string(),
    payment_intent: z.string().nullish(),
    amount_refunded: z.number().int(),
    metadata: Metadata,
  })
  .loose();

const StripeEvent = z.object({ id: z.string(), type: z.string(), data: z.object({ object: z.unknown() }) });

const INVALID_CARD = new Set([
  "incorrect_number",
  "invalid_number",
  "expired_card",
  "incorrect_cvc",
  "invalid_cvc",
  "invalid_expiry_month",
  "invalid_expiry_year",
]);

/** Stripe's words for a refusal, in ours (what the shopper sees on a 402). */
function declineReason(error: StripeErrorBody): DeclineReason {
  if (error.type !== "card_error") return "provider_error";
  const code = error.decline_code ?? error.code ?? "";
  if (code === "insufficient_funds") return "insufficient_funds";
  if (INVALID_CARD.has(code) || INVALID_CARD.has(error.code ?? "")) return "invalid_card";
  return "card_declined";
}

const isProcessingError = (error: StripeErrorBody) => error.code === "processing_error" || error.decline_code === "processing_error";

/**
 * Stripe PaymentIntents over plain `fetch`: authorize = create with capture_method=manual and confirm=true,
 * then capture, cancel (void) and refunds. Every call is form-encoded with `Authorization: Bearer` and the
 * caller's key as `Idempotency-Key`, which makes Stripe replay its first answer to a retry.
 */
export class StripeProvider implements PaymentProvider {
  readonly name = "stripe" as const;
  readonly accepts = "stripe" as const;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly settings: StripeSettings,
    private readonly fetcher: Fetch,
  ) {
    this.timeoutMs = settings.timeoutMs ?? 20_000;
    this.now = settings.now ?? Date.now;
  }

  async authorize(call: AuthorizeCall): Promise<AuthorizeAnswer> {
    if (call.payment.method !== "stripe") {
      return { status: "declined", reason: "invalid_card", message: "Stripe takes a PaymentMethod made by Stripe.js, never a card number" };
    }
    const form: Record<string, string> = {
      amount: String(call.amount.amount),
      currency: call.amount.currency.toLowerCase(),
      capture_method: "manual",
      confirm: "true",
      payment_method: call.payment.paymentMethodId,
      "payment_method_types[]": "card",
      "expand[]": "payment_method",
      "metadata[payment_id]": call.paymentId,
    };
    if (call.description !== undefined) form.description = call.description;
    if (call.email !== undefined) form.receipt_email = call.email;
    const answer = await this.post("/v1/payment_intents", form, call.idempotencyKey);
    if (!answer.ok) return { status: "unavailable", message: `Stripe: ${answer.message}` };
    if (answer.status >= 200 && answer.status < 300) {
      const intent = PaymentIntent.safeParse(answer.body);
      if (!intent.success) return { status: "unavailable", message: "Stripe: unexpected PaymentIntent shape" };
      return fromIntent(intent.data);
    }
    const error = StripeError.safeParse(answer.body);
    if (retryable(answer.status) || answer.status === 401 || answer.status === 409 || !error.success) {
      return {
        status: "unavailable",
        message: `Stripe answered ${answer.status}${error.success ? `: ${error.data.error.message ?? ""}` : ""}`,
      };
    }
    if (isProcessingError(error.data.error))
      return { status: "unavailable", message: `Stripe: ${error.data.error.message ?? "processing error"}` };
    return {
      status: "declined",
      reason: declineReason(error.data.error),
      message: error.data.error.message ?? "the card was declined",
      card: cardOf(error.data.error.payment_method),
    };
  }

  async capture(call: CaptureCall): Promise<CaptureAnswer> {
    const answer = await this.post(`/v1/payment_intents/${encodeURIComponent(call.providerRef)}/capture`, {}, call.idempotencyKey);
    const settled = this.settle(answer);
    if (settled.status !== "answered") return settled;
    const intent = PaymentIntent.safeParse(settled.body);
    if (intent.success && intent.data.status === "succeeded")
      return { status: "captured", providerRef: intent.data.latest_charge ?? intent.data.id };
    if (settled.error?.payment_intent?.status === "succeeded") return { status: "captured", providerRef: settled.error.payment_intent.id };
    return { status: "refused", message: settled.error?.message ?? `Stripe did not capture (status ${intent.data?.status ?? "unknown"})` };
  }

  async void(call: VoidCall): Promise<VoidAnswer> {
    const answer = await this.post(`/v1/payment_intents/${encodeURIComponent(call.providerRef)}/cancel`, {}, call.idempotencyKey);
    const settled = this.settle(answer);
    if (settled.status !== "answered") return settled;
    const intent = PaymentIntent.safeParse(settled.body);
    if (intent.success && intent.data.status === "canceled") return { status: "voided" };
    // Cancelling twice is an error at Stripe, but the money is released all the same.
    if (settled.error?.payment_intent?.status === "canceled") return { status: "voided" };
    return { status: "refused", message: settled.error?.message ?? `Stripe did not cancel (status ${intent.data?.status ?? "unknown"})` };
  }

  async refund(call: RefundCall): Promise<RefundAnswer> {
    const form = {
      payment_intent: call.providerRef,
      amount: String(call.amount.amount),
      "metadata[payment_id]": call.paymentId,
    };
    const settled = this.settle(await this.post("/v1/refunds", form, call.idempotencyKey));
    if (settled.status !== "answered") return settled;
    const refund = Refund.safeParse(settled.body);
    if (refund.success && settled.error === undefined) {
      // `pending` refunds complete later (charge.refunded tells us); only failed and canceled ones did not happen.
      if (refund.data.status === "failed" || refund.data.status === "canceled") {
        return { status: "refused", message: `Stripe refund ${refund.data.status}: ${refund.data.failure_reason ?? "no reason given"}` };
      }
      return { status: "refunded", refundId: refund.data.id };
    }
    return { status: "refused", message: settled.error?.message ?? "Stripe did not refund" };
  }

  async verifyWebhook(delivery: WebhookRequest): Promise<WebhookVerdict> {
    const secret = this.settings.webhookSecret;
    if (secret === undefined)
      return { ok: false, status: 401, detail: "STRIPE_WEBHOOK_SECRET is not set: no Stripe webhook can be verified" };
    const why = await timestampedSignatureProblem(
      delivery.headers["stripe-signature"],
      delivery.rawBody,
      secret,
      this.now(),
      WEBHOOK_TOLERANCE_SECONDS,
    );
    if (why !== null) return { ok: false, status: 401, detail: `Stripe webhook refused: ${why}` };
    const event = StripeEvent.safeParse(parseJson(delivery.rawBody));
    if (!event.success) return { ok: false, status: 400, detail: "the body is not a Stripe event" };
    return { ok: true, event: { id: event.data.id, type: event.data.type, effect: stripeEffect(event.data.type, event.data.data.object) } };
  }

  private post(path: string, form: Record<string, string>, idempotencyKey: string): Promise<HttpAnswer> {
    return callProvider(
      this.fetcher,
      `${this.settings.apiBase}${path}`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.settings.secretKey}`,
          "content-type": "application/x-www-form-urlencoded",
          "idempotency-key": idempotencyKey,
          "stripe-version": STRIPE_VERSION,
        },
        body: new URLSearchParams(form).toString(),
      },
      this.timeoutMs,
    );
  }

  /** What capture, cancel and refund share: no answer or a retryable status is `unavailable`. */
  private settle(
    answer: HttpAnswer,
  ): { status: "unavailable"; message: string } | { status: "answered"; body: unknown; error: StripeErrorBody | undefined } {
    if (!answer.ok) return { status: "unavailable", message: `Stripe: ${answer.message}` };
    if (retryable(answer.status) || answer.status === 401 || answer.status === 409) {
      return { status: "unavailable", message: `Stripe answered ${answer.status}` };
    }
    const error = answer.status >= 400 ? StripeError.safeParse(answer.body) : undefined;
    return { status: "answered", body: answer.body, error: error?.success ? error.data.error : undefined };
  }
}

function fromIntent(intent: PaymentIntent): AuthorizeAnswer {
  const card = cardOf(intent.payment_method);
  switch (intent.status) {
    case "requires_capture":
    case "succeeded":
      return { status: "authorized", providerRef: intent.id, card };
    case "requires_action":
    case "requires_confirmation":
    case "processing":
      return { status: "pending", providerRef: intent.id, card };
    case "requires_payment_method": {
      const error = intent.last_payment_error;
      if (error == null) return { status: "declined", reason: "card_declined", message: "the card was declined", card };
      if (isProcessingError(error)) return { status: "unavailable", message: `Stripe: ${error.message ?? "processing error"}` };
      return { status: "declined", reason: declineReason(error), message: error.message ?? "the card was declined", card };
    }
    default:
      return { status: "declined", reason: "provider_error", message: `Stripe PaymentIntent is ${intent.status}` };
  }
}

function stripeEffect(type: string, object: unknown): WebhookEffect {
  if (type.startsWith("payment_intent.")) {
    const parsed = PaymentIntent.safeParse(object);
    if (!parsed.success) return { kind: "none" };
    const intent = parsed.data;
    const paymentId = intent.metadata?.payment_id ?? null;
    switch (type) {
      case "payment_intent.amount_capturable_updated":
        return intent.status === "requires_capture"
          ? {
              kind: "authorized",
              paymentId,
              providerRef: intent.id,
              amount: { amount: intent.amount, currency: intent.currency.toUpperCase() },
            }
          : { kind: "none" };
      case "payment_intent.succeeded":
        return {
          kind: "captured",
          paymentId,
          providerRef: intent.id,
          captureRef: intent.latest_charge ?? intent.id,
          amount: intent.amount_received ?? intent.amount,
        };
      case "payment_intent.payment_failed":
        return { kind: "failed", paymentId, providerRef: intent.id, message: intent.last_payment_error?.message ?? "the payment failed" };
      case "payment_intent.canceled":
        return { kind: "voided", paymentId, providerRef: intent.id };
    }
    return { kind: "none" };
  }
  if (type === "charge.refunded") {
    const parsed = Charge.safeParse(object);
    if (!parsed.success) return { kind: "none" };
    const charge = parsed.data;
    return {
      kind: "refunded",
      paymentId: charge.metadata?.payment_id ?? null,
      providerRef: charge.payment_intent ?? null,
      captureRef: charge.id,
      refundId: null,
      amount: null,
      totalRefunded: charge.amount_refunded,
    };
  }
  return { kind: "none" };
}
