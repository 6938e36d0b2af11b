import { z } from "zod";
import { Money } from "./money.ts";

// The payments Worker's RPC contract (bound as PAYMENTS by the orders Worker and the storefront's webhooks).
// Every money-moving call carries the provider idempotency key the caller derived once and sends unchanged on
// every retry: the same key never moves money twice, at the provider or in our ledger.

/** Luhn check: catches a mistyped card number before any provider sees it. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const thisYear = () => new Date().getUTCFullYear();

export const CardInput = z
  .object({
    number: z
      .string()
      .transform((s) => s.replace(/[\s-]/g, ""))
      .pipe(
        z
          .string()
          .regex(/^\d{12,19}$/, "card number must be 12–19 digits")
          .refine(luhnValid, "card number is not valid (check digit)"),
      ),
    expMonth: z.number().int().min(1, "expMonth must be 1–12").max(12, "expMonth must be 1–12"),
    expYear: z
      .number()
      .int()
      .refine((y) => y >= thisYear() && y <= thisYear() + 30, "expYear must be this year or later"),
    cvc: z.string().regex(/^\d{3,4}$/, "cvc must be 3 or 4 digits"),
  })
  .refine((c) => c.expYear > thisYear() || (c.expYear === thisYear() && c.expMonth >= new Date().getUTCMonth() + 1), {
    message: "the card has expired",
    path: ["expMonth"],
  })
  .meta({ id: "CardInput" });
export type CardInput = z.infer<typeof CardInput>;

/**
 * How the shopper pays. Which one a shop takes depends on its provider (`GET /v1/checkout/payment-methods`):
 * - `card`: the number itself, for the built-in test provider only (a local platform; never deployed);
 * - `stripe`: a Stripe PaymentMethod id made in the browser by Stripe.js/Elements, so no card number reaches us;
 * - `paypal`: a PayPal order the payer approved in PayPal's own buttons or card fields.
 */
export const CardPayment = z.object({ method: z.literal("card"), card: CardInput }).meta({ id: "CardPayment" });
export const StripePayment = z
  .object({
    method: z.literal("stripe"),
    paymentMethodId: z
      .string()
      .regex(/^pm_[A-Za-z0-9_]{1,200}$/, "paymentMethodId is a Stripe PaymentMethod id (pm_…) made by Stripe.js")
      .describe("The PaymentMethod Stripe.js created from the card the shopper typed"),
  })
  .meta({ id: "StripePayment" });
export const PayPalPayment = z
  .object({
    method: z.literal("paypal"),
    orderId: z
      .string()
      // PayPal's ids mix letters and digits: a card number (all digits) is never taken for one.
      .min(8, "orderId is the id of a PayPal order the payer approved")
      .max(64, "orderId is the id of a PayPal order the payer approved")
      .regex(/^[0-9]*[A-Z][A-Z0-9]*$/, "orderId is the id of a PayPal order the payer approved")
      .describe("The PayPal order (intent AUTHORIZE, this checkout's total) the payer approved"),
  })
  .meta({ id: "PayPalPayment" });
export const PaymentMethodInput = z
  .discriminatedUnion("method", [CardPayment, StripePayment, PayPalPayment], {
    error: "payment.method is card (test provider), stripe or paypal",
  })
  .meta({ id: "PaymentMethodInput" });
export type PaymentMethodInput = z.infer<typeof PaymentMethodInput>;
export type PaymentMethodName = PaymentMethodInput["method"];

/** What a client needs to collect a payment for this shop: the method, and the provider's public key. */
export type CheckoutPaymentMethod =
  | { method: "card"; provider: "test" }
  | { method: "stripe"; provider: "stripe"; publishableKey: string }
  | { method: "paypal"; provider: "paypal"; clientId: string };

/** The last four digits the shopper can be shown before the provider has answered (a card number's only). */
export const knownLast4 = (payment: PaymentMethodInput): string | null =>
  payment.method === "card" ? payment.card.number.slice(-4) : null;

/** The built-in test provider's cards (docs/api.md): every other Luhn-valid number succeeds. */
export const TEST_CARDS = {
  succeeds: "4242424242424242",
  declined: "4000000000000002",
  insufficientFunds: "4000000000009995",
  timesOut: "4000000000000119",
} as const;

export const IdempotencyKey = z.string().min(1).max(255);
export const PROVIDERS = ["test", "stripe", "paypal"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const AuthorizeRequest = z.object({
  /** Our payment id (one per order; the orders Worker uses the order id). */
  paymentId: z.string().min(1).max(100),
  idempotencyKey: IdempotencyKey,
  amount: Money,
  payment: PaymentMethodInput,
  email: z.email().optional(),
  description: z.string().max(500).optional(),
});
export type AuthorizeRequest = z.input<typeof AuthorizeRequest>;

/** What we keep of a card: never the number, never the cvc. */
export type CardSummary = { brand: string; last4: string };

export type PaymentStatus = "pending" | "authorized" | "captured" | "voided" | "refunded" | "partially_refunded" | "failed";

export type PaymentView = {
  paymentId: string;
  provider: ProviderName;
  providerRef: string | null;
  status: PaymentStatus;
  amount: { amount: number; currency: string };
  captured: number;
  refunded: number;
  card: CardSummary | null;
};

/** Why a provider said no, in the words the shopper sees on a 402. */
export type DeclineReason = "card_declined" | "insufficient_funds" | "invalid_card" | "provider_error";

/**
 * `unavailable` is the one answer that may change on a retry (timeout, 5xx, network): retry with the same key.
 * `pending` means the provider has not decided yet (e.g. 3-D Secure, PayPal approval): a webhook or a later
 * call with the same key settles it.
 */
export type AuthorizeOutcome =
  | { outcome: "authorized"; payment: PaymentView }
  | { outcome: "pending"; payment: PaymentView }
  | { outcome: "declined"; reason: DeclineReason; message: string; card: CardSummary | null }
  | { outcome: "unavailable"; message: string };

/**
 * `charge`: an authorization and, when it is `authorized`, its capture under the caller's capture key
 * (`capture` null otherwise: declined, pending or unavailable, nothing was captured). Once captured, the
 * authorization's `payment` is the captured payment, as a retry of its key answers from then on.
 */
export type ChargeOutcome = { authorized: AuthorizeOutcome; capture: CaptureOutcome | null };

export type CaptureOutcome =
  | { outcome: "captured"; payment: PaymentView }
  | { outcome: "refused"; message: string }
  | { outcome: "unavailable"; message: string };

export type VoidOutcome = { outcome: "voided"; payment: PaymentView | null } | { outcome: "unavailable"; message: string };

export type RefundOutcome =
  | { outcome: "refunded"; payment: PaymentView; refundId: string }
  | { outcome: "refused"; message: string }
  | { outcome: "unavailable"; message: string };

/** A provider webhook as the storefront received it: the raw body (signatures cover its exact bytes). */
export type WebhookDelivery = { provider: "stripe" | "paypal"; rawBody: string; headers: Record<string, string> };
/**
 * 503: the delivery could not be handled now (the provider's verification API did not answer, or the payment's
 * authorization is still under way): nothing was recorded, and the provider delivers it again later.
 */
export type WebhookOutcome = { status: 200 | 400 | 401 | 503; detail: string; duplicate?: boolean };
