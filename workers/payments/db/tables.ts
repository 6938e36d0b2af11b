import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { type PaymentStatus, PROVIDERS } from "#schema/payments.ts";

export const PAYMENT_STATUSES = [
  "pending",
  "authorized",
  "captured",
  "voided",
  "refunded",
  "partially_refunded",
  "failed",
] as const satisfies readonly PaymentStatus[];

// One row per payment (per order). Amounts are integer minor units of `currency`. Of the card only the
// brand and last four digits are kept: never the number, never the cvc.
export const payments = sqliteTable(
  "payments",
  {
    paymentId: text("payment_id").primaryKey(),
    provider: text("provider", { enum: PROVIDERS }).notNull(),
    // The provider's handle on the authorization (Stripe PaymentIntent, PayPal authorization, or the PayPal
    // order while it waits for approval): what capture and void act on.
    providerRef: text("provider_ref"),
    status: text("status", { enum: PAYMENT_STATUSES }).notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    captured: integer("captured").notNull().default(0),
    refunded: integer("refunded").notNull().default(0),
    cardBrand: text("card_brand"),
    cardLast4: text("card_last4"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  // Webhooks that carry no payment id of ours are matched by the provider's reference.
  (t) => [index("payments_provider_ref_idx").on(t.provider, t.providerRef)],
);

export const LEDGER_KINDS = ["authorize", "capture", "void", "refund"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

// `in_progress`: claimed, the provider call is under way. `unavailable`: the provider could not answer and a
// retry with the same key asks it again. `deferred`: a capture asked for while its authorization is pending,
// done by the webhook that settles the authorization. Every other status is final.
export const LEDGER_STATUSES = [
  "in_progress",
  "unavailable",
  "deferred",
  "authorized",
  "pending",
  "declined",
  "captured",
  "voided",
  "refunded",
  "refused",
] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

// One row per money operation, keyed by the caller's idempotency key: the unique index is what lets a retry
// find the recorded answer instead of asking the provider again, and lets only one of two concurrent calls
// with one key claim it. No foreign key to `payments`: a void may name a payment that was never authorized.
export const ledger = sqliteTable(
  "ledger",
  {
    id: text("id").primaryKey(),
    paymentId: text("payment_id").notNull(),
    kind: text("kind", { enum: LEDGER_KINDS }).notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    amount: integer("amount").notNull(),
    // Null only for a void of a payment that was never authorized (nothing to say what currency it was in).
    currency: text("currency"),
    status: text("status", { enum: LEDGER_STATUSES }).notNull(),
    // The provider's id for this operation (authorization, capture, refund), once it has one.
    providerRef: text("provider_ref"),
    // JSON: what a replay needs besides the status (a decline's reason and message, the card summary).
    detail: text("detail"),
    attempts: integer("attempts").notNull().default(1),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("ledger_idempotency_key_uq").on(t.idempotencyKey), index("ledger_payment_idx").on(t.paymentId, t.kind)],
);

// Providers deliver webhooks at least once: an event seen before is answered as a duplicate and does nothing.
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    provider: text("provider", { enum: PROVIDERS }).notNull(),
    eventId: text("event_id").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
);
