import type { Money } from "#schema/money.ts";
import type { CardSummary, DeclineReason, PaymentMethodInput, PaymentMethodName, ProviderName } from "#schema/payments.ts";

// One interface over every payment provider. Each money call carries the caller's idempotency key, which the
// adapter hands to the provider unchanged (Stripe `Idempotency-Key`, PayPal `PayPal-Request-Id`): a retry
// with the same key can never move money twice, even when our own record of the first try was lost.

/** `fetch` as the adapters use it: tests pass a recorder, production passes the global one. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export type Unavailable = { status: "unavailable"; message: string };
export type Refused = { status: "refused"; message: string };

export type AuthorizeCall = {
  paymentId: string;
  idempotencyKey: string;
  amount: Money;
  /** Held in memory for this one call: never stored, never logged. Of the method the provider `accepts`. */
  payment: PaymentMethodInput;
  email?: string | undefined;
  description?: string | undefined;
};
/** `card`: what the provider says was charged (brand and last 4), when the method itself did not show it. */
export type AuthorizeAnswer =
  | { status: "authorized" | "pending"; providerRef: string; card?: CardSummary | undefined }
  | { status: "declined"; reason: DeclineReason; message: string; card?: CardSummary | undefined }
  | Unavailable;

export type CaptureCall = { paymentId: string; providerRef: string; amount: Money; idempotencyKey: string };
/** `providerRef` of a capture is what a refund later needs (PayPal refunds the capture, not the authorization). */
export type CaptureAnswer = { status: "captured"; providerRef: string } | Refused | Unavailable;

/** `pending`: the provider has not authorized yet (e.g. a PayPal order waiting for the payer). */
export type VoidCall = { paymentId: string; providerRef: string; idempotencyKey: string; pending: boolean };
export type VoidAnswer = { status: "voided" } | Refused | Unavailable;

export type RefundCall = {
  paymentId: string;
  providerRef: string;
  captureRef: string | null;
  amount: Money;
  idempotencyKey: string;
};
export type RefundAnswer = { status: "refunded"; refundId: string } | Refused | Unavailable;

/** A webhook as received; header names lower-cased. */
export type WebhookRequest = { rawBody: string; headers: Record<string, string> };

/**
 * What a verified provider event means for our ledger. `paymentId` is ours when the provider echoes it
 * (Stripe metadata, PayPal custom_id); otherwise the payment is found by `providerRef`.
 */
export type WebhookEffect =
  | { kind: "authorized"; paymentId: string | null; providerRef: string; amount: Money | null }
  | { kind: "captured"; paymentId: string | null; providerRef: string | null; captureRef: string; amount: number }
  | {
      kind: "refunded";
      paymentId: string | null;
      providerRef: string | null;
      captureRef: string | null;
      refundId: string | null;
      /** This one refund's amount (PayPal), or null when only the running total is known. */
      amount: number | null;
      /** Everything refunded so far (Stripe's charge.amount_refunded), when known. */
      totalRefunded: number | null;
    }
  | { kind: "failed"; paymentId: string | null; providerRef: string; message: string }
  | { kind: "voided"; paymentId: string | null; providerRef: string }
  | { kind: "none" };

export type ProviderEvent = { id: string; type: string; effect: WebhookEffect };
export type WebhookVerdict = { ok: true; event: ProviderEvent } | { ok: false; status: 400 | 401 | 503; detail: string };

export interface PaymentProvider {
  readonly name: ProviderName;
  /** The one payment method this provider takes. */
  readonly accepts: PaymentMethodName;
  authorize(call: AuthorizeCall): Promise<AuthorizeAnswer>;
  capture(call: CaptureCall): Promise<CaptureAnswer>;
  void(call: VoidCall): Promise<VoidAnswer>;
  refund(call: RefundCall): Promise<RefundAnswer>;
  /** Checks the delivery came from the provider (401 when it did not), then says what it means. */
  verifyWebhook(delivery: WebhookRequest): Promise<WebhookVerdict>;
}

/** The provider new authorizations go to, and every configured one by name (a payment stays with its own). */
export type Providers = { primary: PaymentProvider; get(name: ProviderName): PaymentProvider | null };
