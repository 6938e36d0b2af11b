import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Money } from "#schema/money.ts";
import type { WebhookOutcome } from "#schema/payments.ts";
import { ledger, payments, webhookEvents } from "../db/tables.ts";
import { askProvider } from "./ask-provider.ts";
import { runCapture } from "./capture.ts";
import { type CallDeps, type Deps, findPayment, onShard, type PaymentRow, type PaymentsDb } from "./db.ts";
import { claim, isFinal, type LedgerRow, readDetail, STALE_CLAIM_MS, settle } from "./ledger.ts";
import type { PaymentProvider, ProviderEvent, WebhookEffect } from "./provider.ts";
import { lowerCaseKeys } from "./provider-http.ts";
import { addRefund } from "./refund.ts";

const WebhookDelivery = z.object({
  provider: z.enum(["stripe", "paypal"]),
  rawBody: z.string().max(1_000_000),
  headers: z.record(z.string(), z.string()),
});

type Handled = { detail: string; retry?: boolean };

/** A payment of ours and the operations' deps on its shard. */
type Found = { payment: PaymentRow; shard: Deps };

/**
 * A provider's webhook, as the storefront received it. Verified first (401 when not from the provider), then
 * applied once: the event id is recorded in the same step that claims it, so a redelivery or a concurrent
 * duplicate is answered `duplicate: true` and does nothing. When the event cannot be applied now, its record
 * is removed again and the answer is 503, so the provider delivers it again later. An event names its payment by
 * our id or the provider's reference, not by shard: it is applied on the shard that holds that payment.
 */
export async function handleWebhook(deps: CallDeps, input: unknown): Promise<WebhookOutcome> {
  const parsed = WebhookDelivery.safeParse(input);
  if (!parsed.success) return { status: 400, detail: "not a webhook delivery: { provider, rawBody, headers }" };
  const delivery = parsed.data;
  const provider = deps.providers.get(delivery.provider);
  if (provider === null) return { status: 400, detail: `${delivery.provider} is not configured here` };
  const verdict = await provider.verifyWebhook({ rawBody: delivery.rawBody, headers: lowerCaseKeys(delivery.headers) });
  if (!verdict.ok) {
    deps.log.warn("webhook refused", { provider: provider.name, status: verdict.status, detail: verdict.detail });
    return { status: verdict.status, detail: verdict.detail };
  }
  const { event } = verdict;
  // Events are recorded on shard 0, where they were before there were shards: an event may name no payment of ours.
  const [db] = deps.shards;
  if (db === undefined) throw new Error("no shard of the payments database is bound");
  const recorded = await db
    .insert(webhookEvents)
    .values({ provider: provider.name, eventId: event.id, receivedAt: deps.now() })
    .onConflictDoNothing();
  if (recorded.meta.changes === 0) return { status: 200, detail: `event ${event.id} was handled before`, duplicate: true };
  const forget = () => db.delete(webhookEvents).where(and(eq(webhookEvents.provider, provider.name), eq(webhookEvents.eventId, event.id)));
  let handled: Handled;
  try {
    handled = await apply(deps, provider, event);
  } catch (err) {
    await forget();
    throw err;
  }
  deps.log.info("webhook", { provider: provider.name, eventId: event.id, type: event.type, detail: handled.detail });
  if (handled.retry === true) {
    await forget();
    return { status: 503, detail: handled.detail };
  }
  return { status: 200, detail: handled.detail };
}

function apply(deps: CallDeps, provider: PaymentProvider, event: ProviderEvent): Promise<Handled> {
  const { effect } = event;
  switch (effect.kind) {
    case "authorized":
      return authorized(deps, provider, effect);
    case "captured":
      return captured(deps, provider, event.id, effect);
    case "refunded":
      return refunded(deps, provider, event.id, effect);
    case "failed":
      return failed(deps, provider, effect);
    case "voided":
      return voided(deps, provider, effect);
    case "none":
      return Promise.resolve({ detail: `${event.type} needs nothing` });
  }
}

/**
 * Our payment, by the id the provider echoes back (which names its shard), else by the provider's reference,
 * which names none: then every shard is asked.
 */
async function paymentFor(
  deps: CallDeps,
  provider: PaymentProvider,
  paymentId: string | null,
  providerRef: string | null,
): Promise<Found | undefined> {
  if (paymentId !== null) {
    const shard = onShard(deps, paymentId);
    const payment = shard === null ? undefined : await findPayment(shard.db, paymentId);
    if (shard !== null && payment?.provider === provider.name) return { payment, shard };
  }
  if (providerRef === null) return undefined;
  return onAnyShard(deps, async (db) => {
    const [payment] = await db
      .select()
      .from(payments)
      .where(and(eq(payments.provider, provider.name), eq(payments.providerRef, providerRef)))
      .limit(1);
    return payment;
  });
}

/**
 * The payment `find` finds on whichever shard has it, asking them all at once. Payment ids and provider
 * references are unique, so at most one shard finds one; if ever more did, shard 0's first would win.
 */
async function onAnyShard(deps: CallDeps, find: (db: PaymentsDb) => Promise<PaymentRow | undefined>): Promise<Found | undefined> {
  const found = await Promise.all(deps.shards.map(find));
  const index = found.findIndex((payment) => payment !== undefined);
  const payment = found[index];
  const db = deps.shards[index];
  return payment === undefined || db === undefined ? undefined : { payment, shard: { ...deps, db } };
}

/** The payment whose capture the provider knows as `captureRef` (a refund event may name only that). */
async function paymentCapturedAs(db: PaymentsDb, captureRef: string): Promise<PaymentRow | undefined> {
  const [capture] = await db
    .select({ paymentId: ledger.paymentId })
    .from(ledger)
    .where(and(eq(ledger.kind, "capture"), eq(ledger.providerRef, captureRef)))
    .limit(1);
  return capture === undefined ? undefined : findPayment(db, capture.paymentId);
}

const ledgerOf = (db: PaymentsDb, paymentId: string) => db.select().from(ledger).where(eq(ledger.paymentId, paymentId));

/**
 * The provider authorized. A pending payment becomes authorized, and a capture asked for meanwhile runs now
 * under its own key (so a second delivery, or the caller's retry, never captures twice). An authorization of a
 * payment that was voided or declined meanwhile is released at the provider: money must not stay held.
 */
async function authorized(
  deps: CallDeps,
  provider: PaymentProvider,
  effect: Extract<WebhookEffect, { kind: "authorized" }>,
): Promise<Handled> {
  const found = await paymentFor(deps, provider, effect.paymentId, effect.providerRef);
  if (found === undefined) return authorizedUnknown(deps, provider, effect);
  const { payment, shard } = found;
  const { db } = shard;
  if (payment.status === "voided" || payment.status === "failed") {
    return releaseLate(shard, provider, payment.paymentId, effect.providerRef, { amount: payment.amount, currency: payment.currency });
  }
  if (payment.status !== "pending") return { detail: `payment ${payment.paymentId} is ${payment.status} already` };
  const at = deps.now();
  await db.batch([
    db
      .update(payments)
      .set({ status: "authorized", providerRef: effect.providerRef, updatedAt: at })
      .where(and(eq(payments.paymentId, payment.paymentId), eq(payments.status, "pending"))),
    db
      .update(ledger)
      .set({ status: "authorized", providerRef: effect.providerRef, updatedAt: at })
      .where(and(eq(ledger.paymentId, payment.paymentId), eq(ledger.kind, "authorize"), eq(ledger.status, "pending"))),
  ]);
  const captures = await runDeferredCaptures(shard, payment.paymentId);
  return { detail: `payment ${payment.paymentId} authorized${captures > 0 ? " and captured as asked" : ""}` };
}

async function runDeferredCaptures(deps: Deps, paymentId: string): Promise<number> {
  const { db } = deps;
  const deferred = await db
    .select()
    .from(ledger)
    .where(and(eq(ledger.paymentId, paymentId), eq(ledger.kind, "capture"), eq(ledger.status, "deferred")));
  let ran = 0;
  for (const row of deferred) {
    // Claimed like any retry: of this webhook and a concurrent retry by the caller, one runs the capture.
    const at = deps.now();
    const taken = await db
      .update(ledger)
      .set({ status: "in_progress", attempts: sql`${ledger.attempts} + 1`, updatedAt: at })
      .where(and(eq(ledger.id, row.id), eq(ledger.status, "deferred")));
    if (taken.meta.changes !== 1) continue;
    await runCapture(deps, { ...row, status: "in_progress", updatedAt: at });
    ran++;
  }
  return ran;
}

/** An authorization for a payment we hold no row of: its authorize call never got the provider's answer. */
async function authorizedUnknown(
  callDeps: CallDeps,
  provider: PaymentProvider,
  effect: Extract<WebhookEffect, { kind: "authorized" }>,
): Promise<Handled> {
  const deps = effect.paymentId === null ? null : onShard(callDeps, effect.paymentId);
  if (effect.paymentId === null || deps === null) return { detail: "an authorization that is not ours" };
  const { db } = deps;
  const paymentId = effect.paymentId;
  const rows = await ledgerOf(db, paymentId);
  const amount = effect.amount;
  if (rows.some((r) => r.kind === "void")) return releaseLate(deps, provider, paymentId, effect.providerRef, amount);
  const now = deps.now();
  // Its own call may still record it: then this delivery has to come again, or be lost if that call fails.
  if (rows.some((r) => r.kind === "authorize" && r.status === "in_progress" && r.updatedAt >= now - STALE_CLAIM_MS)) {
    return { detail: `the authorization of payment ${paymentId} is under way; deliver again`, retry: true };
  }
  const open = rows.find((r) => r.kind === "authorize" && !isFinal(r.status));
  if (open === undefined || open.currency === null) return { detail: `payment ${paymentId} has no authorization waiting for an answer` };
  const card = readDetail(open.detail).card ?? null;
  await db.batch([
    db
      .insert(payments)
      .values({
        paymentId,
        provider: provider.name,
        providerRef: effect.providerRef,
        status: "authorized",
        amount: open.amount,
        currency: open.currency,
        captured: 0,
        refunded: 0,
        cardBrand: card?.brand ?? null,
        cardLast4: card?.last4 ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    db
      .update(ledger)
      .set({ status: "authorized", providerRef: effect.providerRef, updatedAt: now })
      .where(and(eq(ledger.id, open.id), inArray(ledger.status, ["unavailable", "in_progress"]))),
  ]);
  return { detail: `payment ${paymentId} authorized (its authorize call had no answer)` };
}

/** Voids at the provider an authorization that arrived after we gave up on it, under a key of its own. */
async function releaseLate(
  deps: Deps,
  provider: PaymentProvider,
  paymentId: string,
  providerRef: string,
  amount: Money | null,
): Promise<Handled> {
  const { db } = deps;
  const idempotencyKey = `late-void:${provider.name}:${providerRef}`;
  const claimed = await claim(
    db,
    { paymentId, kind: "void", idempotencyKey, amount: amount?.amount ?? 0, currency: amount?.currency ?? null },
    sql`1 = 1`,
    deps.now(),
  );
  if (claimed.kind !== "claimed") {
    const status = claimed.kind === "refused" ? "refused" : claimed.row.status;
    return status === "voided"
      ? { detail: `late authorization of ${paymentId} was released before` }
      : { detail: "release under way", retry: true };
  }
  deps.log.warn("releasing a late authorization", { paymentId, provider: provider.name, providerRef });
  const answer = await askProvider(deps, { operation: "void", paymentId, provider: provider.name }, () =>
    provider.void({ paymentId, providerRef, idempotencyKey, pending: false }),
  );
  const settled: LedgerRow = await settle(
    db,
    claimed.row,
    answer.status === "voided" ? { status: "voided", providerRef } : { status: answer.status, detail: { message: answer.message } },
    [],
    deps.now(),
  );
  if (settled.status === "unavailable") return { detail: `could not release the late authorization of ${paymentId} yet`, retry: true };
  return { detail: `late authorization of ${paymentId} ${settled.status === "voided" ? "released" : "not released: refused"}` };
}

/** The provider captured: our capture under way (or one asked for elsewhere, e.g. the dashboard) is recorded. */
async function captured(
  deps: CallDeps,
  provider: PaymentProvider,
  eventId: string,
  effect: Extract<WebhookEffect, { kind: "captured" }>,
): Promise<Handled> {
  const found = await paymentFor(deps, provider, effect.paymentId, effect.providerRef);
  if (found === undefined) return { detail: "a capture of a payment that is not ours" };
  const { payment } = found;
  const { db } = found.shard;
  if (payment.captured > 0) return { detail: `payment ${payment.paymentId} is captured already` };
  if (payment.status === "voided" || payment.status === "failed") {
    // Money moved that we had given up on: the ledger must say so, and someone must look at it.
    deps.log.error("provider captured a payment we had released", { paymentId: payment.paymentId, status: payment.status });
  }
  const at = deps.now();
  const rows = await ledgerOf(db, payment.paymentId);
  const open = rows.find((r) => r.kind === "capture" && !isFinal(r.status));
  const record = open
    ? db
        .update(ledger)
        .set({ status: "captured", providerRef: effect.captureRef, updatedAt: at })
        .where(and(eq(ledger.id, open.id), inArray(ledger.status, ["in_progress", "unavailable", "deferred"])))
    : db
        .insert(ledger)
        .values(recordedRow(payment, "capture", `webhook:${provider.name}:${eventId}`, effect.amount, effect.captureRef, "captured", at))
        .onConflictDoNothing();
  await db.batch([
    db
      .update(payments)
      .set({ status: "captured", captured: effect.amount, updatedAt: at })
      .where(and(eq(payments.paymentId, payment.paymentId), eq(payments.captured, 0))),
    record,
    // A capture means there was an authorization, whatever became of its webhook.
    db
      .update(ledger)
      .set({ status: "authorized", updatedAt: at })
      .where(and(eq(ledger.paymentId, payment.paymentId), eq(ledger.kind, "authorize"), eq(ledger.status, "pending"))),
  ]);
  return { detail: `payment ${payment.paymentId} captured` };
}

/** The provider refunded: a refund of ours is known already; one made elsewhere is recorded. */
async function refunded(
  deps: CallDeps,
  provider: PaymentProvider,
  eventId: string,
  effect: Extract<WebhookEffect, { kind: "refunded" }>,
): Promise<Handled> {
  const { captureRef } = effect;
  const found =
    (await paymentFor(deps, provider, effect.paymentId, effect.providerRef)) ??
    (captureRef === null ? undefined : await onAnyShard(deps, (db) => paymentCapturedAs(db, captureRef)));
  if (found === undefined || found.payment.provider !== provider.name) return { detail: "a refund of a payment that is not ours" };
  const { payment } = found;
  const { db } = found.shard;
  const refunds = (await ledgerOf(db, payment.paymentId)).filter((r) => r.kind === "refund");
  if (effect.refundId !== null && refunds.some((r) => r.providerRef === effect.refundId))
    return { detail: "the refund is recorded already" };
  const done = refunds.filter((r) => r.status === "refunded").reduce((n, r) => n + r.amount, 0);
  const underWay = refunds.filter((r) => r.status === "in_progress" || r.status === "unavailable");
  let amount: number;
  if (effect.totalRefunded !== null) {
    amount = effect.totalRefunded - done - underWay.reduce((n, r) => n + r.amount, 0);
  } else {
    // One refund of a known amount: if one of ours of that amount is under way, its own answer records it.
    amount = effect.amount ?? 0;
    if (underWay.some((r) => r.amount === amount)) amount = 0;
  }
  if (amount <= 0) return { detail: "the refund is recorded already (or its call is under way)" };
  const at = deps.now();
  const key = `webhook:${provider.name}:${eventId}`;
  await db.batch([
    addRefund(db, payment.paymentId, amount, at, sql`NOT EXISTS (SELECT 1 FROM ledger WHERE idempotency_key = ${key})`),
    db
      .insert(ledger)
      .values(recordedRow(payment, "refund", key, amount, effect.refundId, "refunded", at))
      .onConflictDoNothing(),
  ]);
  return { detail: `a refund of ${amount} made at ${provider.name} recorded for payment ${payment.paymentId}` };
}

async function failed(deps: CallDeps, provider: PaymentProvider, effect: Extract<WebhookEffect, { kind: "failed" }>): Promise<Handled> {
  const found = await paymentFor(deps, provider, effect.paymentId, effect.providerRef);
  // With no row yet, the authorize call under way gets the same failure as its answer.
  if (found?.payment.status !== "pending") return { detail: "nothing pending to fail" };
  const { payment } = found;
  const { db } = found.shard;
  const at = deps.now();
  await db.batch([
    db
      .update(payments)
      .set({ status: "failed", updatedAt: at })
      .where(and(eq(payments.paymentId, payment.paymentId), eq(payments.status, "pending"))),
    db
      .update(ledger)
      .set({ status: "declined", detail: JSON.stringify({ reason: "card_declined", message: effect.message }), updatedAt: at })
      .where(and(eq(ledger.paymentId, payment.paymentId), eq(ledger.kind, "authorize"), eq(ledger.status, "pending"))),
    db
      .update(ledger)
      .set({ status: "refused", detail: JSON.stringify({ message: "the authorization failed" }), updatedAt: at })
      .where(and(eq(ledger.paymentId, payment.paymentId), eq(ledger.kind, "capture"), eq(ledger.status, "deferred"))),
  ]);
  return { detail: `payment ${payment.paymentId} failed` };
}

async function voided(deps: CallDeps, provider: PaymentProvider, effect: Extract<WebhookEffect, { kind: "voided" }>): Promise<Handled> {
  const found = await paymentFor(deps, provider, effect.paymentId, effect.providerRef);
  if (found?.payment.status !== "pending" && found?.payment.status !== "authorized") return { detail: "nothing held to release" };
  const { payment } = found;
  const { db } = found.shard;
  const at = deps.now();
  await db.batch([
    db
      .update(payments)
      .set({ status: "voided", updatedAt: at })
      .where(and(eq(payments.paymentId, payment.paymentId), inArray(payments.status, ["pending", "authorized"]))),
    db
      .update(ledger)
      .set({ status: "voided", updatedAt: at })
      .where(and(eq(ledger.paymentId, payment.paymentId), eq(ledger.kind, "void"), inArray(ledger.status, ["in_progress", "unavailable"]))),
    db
      .update(ledger)
      .set({ status: "refused", detail: JSON.stringify({ message: "the authorization was voided" }), updatedAt: at })
      .where(and(eq(ledger.paymentId, payment.paymentId), eq(ledger.kind, "capture"), eq(ledger.status, "deferred"))),
  ]);
  return { detail: `payment ${payment.paymentId} voided at ${provider.name}` };
}

function recordedRow(
  payment: PaymentRow,
  kind: "capture" | "refund",
  idempotencyKey: string,
  amount: number,
  providerRef: string | null,
  status: "captured" | "refunded",
  at: number,
) {
  return {
    id: `led_${crypto.randomUUID().replaceAll("-", "")}`,
    paymentId: payment.paymentId,
    kind,
    idempotencyKey,
    amount,
    currency: payment.currency,
    status,
    providerRef,
    detail: JSON.stringify({ message: "recorded from the provider's webhook" }),
    attempts: 1,
    createdAt: at,
    updatedAt: at,
  };
}
