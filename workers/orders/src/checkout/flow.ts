import type { CartAccess, CartCall, CheckoutLine, CheckoutRefusal } from "#schema/cart.ts";
import { EVENT_TYPES } from "#schema/events.ts";
import type { CheckoutBody, PaymentSummary, PlacedOrder } from "#schema/orders/dto.ts";
import type { AuthorizeRequest, CaptureOutcome, ChargeOutcome, PaymentMethodInput, PaymentView, VoidOutcome } from "#schema/payments.ts";
import type { Problem } from "#schema/problem.ts";
import type { Logger } from "#shared/logger.ts";
import type { CheckoutOutcome } from "#shared/metrics/points.ts";
import { type OutboxRow, outboxRow } from "#shared/outbox.ts";
import { problem } from "#shared/problem.ts";
import type { Result } from "#shared/result.ts";
import { type OrderRecord, orderSummary, type Placement, viewOf } from "../order-store.ts";
import { type PricedCheckout, priceCheckout } from "./pricing-bridge.ts";

/*
 * Checkout, as named steps run in order. Progress is saved where a rerun would not be safe (after validateCart:
 * the lines compensation needs) and when the checkout settles; a crash at any point resumes from the last saved
 * step (the Checkout object's alarm does that, or the next request with the same Idempotency-Key) and reruns
 * the steps after it, each repeatable by its ids and keys (sales by sale id, the charge found in the ledger, the
 * order written by fixed keys). A saved step is a Durable Object write, so saving only where it matters keeps a
 * checkout at three of them. A step that refuses (declined card, stock gone) undoes its own partial work and
 * then the finished steps, in reverse, each with its compensation:
 *
 *   validateCart   prices from the catalog, never the client          —
 *   takeStock      every line sold, all or nothing, in one call per     undo every sale: its units back on hand
 *                  SKU (the cart's flash-sale holds are committed)
 *   charge         authorize and capture, one call, one key each       void (also after a timeout), and the order
 *                                                                      is written `payment_failed` + its events
 *   placeOrder     the order, `paid`, its history and events: one      —  (nothing after it can refuse)
 *                  transaction
 *   finish         the ordered lines leave the cart; the events go     —  (retried until done)
 *                  to their queues (the cron sends any left behind)
 *
 * Every compensation undoes whatever its step did, finished or not, and may run any number of times (each call
 * is keyed or idempotent), because a crash can strike in the middle of a step or of its compensation.
 * Never paid-but-unfulfillable: every unit is sold before the card is charged, and put back if the charge
 * fails. Never charged twice: every provider call carries a key derived from the order id. Stock refusals
 * happen before any money moves or any order exists, so a sold-out checkout leaves nothing behind.
 *
 * Why this order and these steps (an earlier release held, wrote a `pending_payment` order, authorized,
 * committed, captured, then marked it paid: nine steps, ten database writes): each write is a round trip the
 * shopper waits for and a transaction the database runs one at a time, so the steps do each thing once.
 */

export const STEP_NAMES = ["validateCart", "takeStock", "charge", "placeOrder", "finish"] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** What survives a crash: everything but the payment method, which lives only in the first request's memory. */
export type Progress = {
  orderId: string;
  done: StepName[];
  /** `card.last4`: a card number's last digits, known at once; null for a provider token until it authorizes. */
  request: Omit<CheckoutBody, "payment"> & { card: { last4: string | null } };
  userId: string | null;
  orderToken: string | null;
  tokenHash: string | null;
  /** The Checkout object's own id, kept with the order so erasing the buyer can reach this progress. */
  checkoutId?: string;
  lines?: CheckoutLine[];
  priced?: PricedCheckout;
  payment?: PaymentSummary;
  /** An earlier release wrote this checkout's order as `pending_payment` before charging: a refusal must end it. */
  orderWritten?: boolean;
  /** The answer, once there is one: replayed for every request with the same key. */
  answer?: Answer;
  /** Set when a step refused: the finished steps are being undone. */
  compensating?: Refusal;
  /** The steps whose work is still to undo (the finished ones and the one that refused), in run order. */
  undoing?: StepName[];
  /** Nothing left to do, either way. */
  settled?: boolean;
};

export type Answer = { status: 201; body: PlacedOrder } | { status: number; body: Problem };

export type CheckoutConfig = {
  holdTtlMs: number;
  authorizeAttempts: number;
  retryDelayMs: number;
};

// What checkout needs of the world, as ports: the Checkout object passes the real services (./ports.ts), the
// flow's unit test passes fakes that refuse or crash at any step, after any number of items.

/** The orders database, as checkout writes it. */
export type OrderBook = {
  /** The order in its final status, its history and `events`, in one transaction; writing it again changes nothing. */
  write(order: OrderRecord, placement: Placement, events: OutboxRow[]): Promise<void>;
};

/** The shopper's cart. */
export type CartPort = {
  checkoutLines(
    access: CartAccess,
    holdTtlMs: number,
    call: CartCall,
  ): Promise<Result<{ lines: CheckoutLine[]; refusals: CheckoutRefusal[] }>>;
  completeCheckout(orderId: string, taken: { sku: string; quantity: number }[]): Promise<unknown>;
};

/** The SKUs' Inventory objects. */
export type StockPort = {
  /** Sells every line or none, under sale ids derived from `prefix` (a retry finds its own sales). */
  sellAll(
    lines: { sku: string; quantity: number }[],
    options: { prefix: string; owner: string },
  ): Promise<{ ok: true } | { ok: false; shortfalls: Shortfall[] }>;
  /** The sale id `sellAll` uses for a SKU (so a compensation finds sales a crash kept it from recording). */
  holdIdFor(prefix: string, sku: string): string;
  /** Turns the cart's hold into a sale; false if the hold is gone (expired, released). Committing twice is one sale. */
  commit(sku: string, holdId: string): Promise<boolean>;
  /** Undoes whatever the hold did (released if active and `releaseActive`, sold units back if committed); repeatable. */
  undo(sku: string, holdId: string, releaseActive: boolean): Promise<void>;
};
export type Shortfall = { sku: string; requested: number; available: number };

/** The payments Worker. */
export type PaymentsPort = {
  /** Authorizes under the request's key and, if authorized, captures under `captureKey`: one call. */
  charge(req: AuthorizeRequest, captureKey: string, call: CartCall): Promise<Result<ChargeOutcome>>;
  getPayment(paymentId: string, call: CartCall): Promise<Result<PaymentView | null>>;
  voidPayment(paymentId: string, idempotencyKey: string, call: CartCall): Promise<Result<VoidOutcome>>;
  capture(paymentId: string, idempotencyKey: string, call: CartCall): Promise<Result<CaptureOutcome>>;
};

export type Ports = {
  orders: OrderBook;
  cart: CartPort;
  stock: StockPort;
  payments: PaymentsPort;
  log: Logger;
  config: CheckoutConfig;
  call: CartCall;
  /** Saves progress durably (the Checkout object's own storage) before the next step starts. */
  save: (p: Progress) => void;
  /** Counts how a run ended (operations metrics): once per refusal, once per placed order. */
  outcome?: (outcome: CheckoutOutcome, total: { amount: number; currency: string } | null) => void;
  /** Sends these outbox rows (just written); a failure leaves them for the cron. Never throws. */
  publish: (rows: OutboxRow[]) => Promise<void>;
  /** The payment method and the guest's cart token: only in a request's memory, never saved (null when resumed). */
  payment: PaymentMethodInput | null;
  cartAccess: CartAccess | null;
};

/** A step's refusal: the answer to give, and the status the order ends in if one was written. */
export type Refusal = {
  answer: Answer;
  orderStatus: "payment_failed" | "cancelled";
  reason: string;
  /** What the operations metrics count it as (anything else refused is `failed`). */
  outcome?: "declined" | "out_of_stock";
};
type StepOutcome = { ok: true } | { ok: false; refusal: Refusal };
type Step = {
  name: StepName;
  /** Rerunning it after a crash is safe and finds what the first run did, so its end need not be saved. */
  rerunnable?: true;
  run: (p: Progress, io: Ports) => Promise<StepOutcome>;
  /** Undoes what `run` did, all or part of it; runs for a finished step and for the step that refused. */
  compensate?: (p: Progress, io: Ports, why: Refusal) => Promise<void>;
};

/** A step that cannot finish yet (a service has not confirmed): the run stops here and the alarm resumes it. */
export class NotYet extends Error {}

const done: StepOutcome = { ok: true };
const refuse = (status: number, detail: string, orderStatus: Refusal["orderStatus"], extra?: Partial<Problem>): StepOutcome => ({
  ok: false,
  refusal: { answer: { status, body: { ...problem(status, detail), ...extra } }, orderStatus, reason: detail },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keyFor = (p: Progress, op: "authorize" | "capture" | "void") => `${p.orderId}:${op}`;
const salePrefix = (p: Progress) => `order:${p.orderId}`;

const STEPS: Step[] = [
  {
    name: "validateCart",
    async run(p, io) {
      if (io.cartAccess === null) return refuse(503, "checkout was interrupted before it began; nothing was held or charged", "cancelled");
      const cart = await io.cart.checkoutLines(io.cartAccess, io.config.holdTtlMs, io.call);
      if (!cart.ok)
        return {
          ok: false,
          refusal: { answer: { status: cart.problem.status, body: cart.problem }, orderStatus: "cancelled", reason: "cart" },
        };
      const { lines, refusals } = cart.value;
      if (refusals.length > 0) return outOfStock(refusals.map((r) => ({ sku: r.sku, requested: r.requested, available: r.available })));
      if (lines.length === 0)
        return refuse(400, "the cart is empty; add items before checking out", "cancelled", {
          errors: [{ field: "cartId", message: "the cart is empty" }],
        });
      const priced = priceCheckout(lines, p.request);
      if (!priced.ok) return refuse(400, priced.message, "cancelled", { errors: [{ field: priced.field, message: priced.message }] });
      p.lines = lines;
      p.priced = priced.value;
      return done;
    },
  },
  {
    name: "takeStock",
    rerunnable: true,
    async run(p, io) {
      const lines = p.lines ?? [];
      const flash = lines.flatMap((l) => (l.cartHoldId === null ? [] : [{ sku: l.sku, holdId: l.cartHoldId }]));
      const [sold, ...committed] = await Promise.all([
        io.stock.sellAll(
          lines.filter((l) => l.cartHoldId === null),
          { prefix: salePrefix(p), owner: salePrefix(p) },
        ),
        ...flash.map((h) => io.stock.commit(h.sku, h.holdId)),
      ]);
      if (sold !== undefined && !sold.ok) return outOfStock(sold.shortfalls);
      const lost = flash.filter((_, i) => committed[i] === false).map((h) => h.sku);
      if (lost.length > 0) {
        return refuse(409, `the hold on ${lost.join(", ")} ran out before checkout; nothing was charged`, "cancelled", {
          errors: lost.map((sku) => ({ field: "items", message: `SKU '${sku}' is no longer held for this cart` })),
        });
      }
      return done;
    },
    async compensate(p, io) {
      // Every sale and commit by its id, whether or not it landed (a crash can lose the answer): the object
      // decides in one call (sold units back; an active hold released only if it is this checkout's own).
      await Promise.all(holdsOf(p, io).map((h) => io.stock.undo(h.sku, h.holdId, h.owned)));
    },
  },
  {
    name: "charge",
    // Resumed without the card, it reads the ledger: captured is done, authorized is captured.
    rerunnable: true,
    async run(p, io) {
      if (io.payment === null) return resumeCharge(p, io);
      const total = p.priced?.total ?? { amount: 0, currency: "USD" };
      for (let attempt = 1; ; attempt++) {
        const request = {
          paymentId: p.orderId,
          idempotencyKey: keyFor(p, "authorize"),
          amount: total,
          payment: io.payment,
          email: p.request.email,
        };
        const result = await io.payments.charge(request, keyFor(p, "capture"), io.call);
        if (!result.ok)
          return {
            ok: false,
            refusal: {
              answer: { status: result.problem.status, body: result.problem },
              orderStatus: "payment_failed",
              reason: "invalid payment",
            },
          };
        const { authorized, capture } = result.value;
        if (authorized.outcome === "authorized") {
          rememberCard(p, authorized.payment.card);
          return captured(p, capture);
        }
        if (authorized.outcome === "declined") {
          rememberCard(p, authorized.card);
          const detail =
            authorized.reason === "insufficient_funds"
              ? "the card has insufficient funds"
              : `the payment was declined (${authorized.reason.replace("_", " ")})`;
          return withOutcome(refuse(402, detail, "payment_failed", { extensions: { reason: authorized.reason } }), "declined");
        }
        // `unavailable` (timeout) or `pending`: ask again with the same key, then give up cleanly.
        if (attempt >= io.config.authorizeAttempts) {
          return refuse(402, "the payment provider did not answer in time; nothing was charged, try again", "payment_failed", {
            extensions: { reason: "provider_timeout" },
          });
        }
        io.log.warn("payment provider unavailable; retrying with the same key", { orderId: p.orderId, attempt });
        await sleep(io.config.retryDelayMs * attempt);
      }
    },
    async compensate(p, io, why) {
      // Also after a timeout: whatever the provider did under the key is undone. Then the order is written as
      // it ended, so the shopper (and the merchant) can see the failed attempt.
      const voided = await io.payments.voidPayment(p.orderId, keyFor(p, "void"), io.call);
      if (!voided.ok || voided.value.outcome !== "voided") throw new NotYet(`void of ${p.orderId} did not go through; will retry`);
      const order = orderRecord(p);
      const events = [placedEvent(p, io, order), endedEvent(p, io, why)];
      await io.orders.write(order, { status: why.orderStatus, reason: why.reason }, events);
      await io.publish(events);
    },
  },
  {
    name: "placeOrder",
    rerunnable: true,
    async run(p, io) {
      const order = orderRecord(p);
      await io.orders.write(order, { status: "paid", reason: "payment captured" }, paidEvents(p, io, order));
      p.answer = { status: 201, body: { order: viewOf(order, "paid"), ...(p.orderToken ? { orderToken: p.orderToken } : {}) } };
      return done;
    },
  },
  {
    name: "finish",
    async run(p, io) {
      const taken = (p.lines ?? []).map((l) => ({ sku: l.sku, quantity: l.quantity }));
      await Promise.all([io.cart.completeCheckout(p.orderId, taken), io.publish(paidEvents(p, io, orderRecord(p)))]);
      return done;
    },
  },
];

/** Resumed after a crash: the card is gone with the request that brought it; the ledger knows what happened. */
async function resumeCharge(p: Progress, io: Ports): Promise<StepOutcome> {
  const known = await io.payments.getPayment(p.orderId, io.call);
  const payment = known.ok ? known.value : null;
  if (payment?.status === "captured") {
    rememberCard(p, payment.card);
    return done;
  }
  if (payment?.status === "authorized") {
    rememberCard(p, payment.card);
    const capture = await io.payments.capture(p.orderId, keyFor(p, "capture"), io.call);
    return captured(p, capture.ok ? capture.value : null);
  }
  // Anything short of an authorization is not a sale.
  return refuse(402, "checkout was interrupted before the payment was authorized; nothing was charged", "payment_failed");
}

/** After an authorization: captured is done, refused refuses, anything else is retried by the alarm (same key). */
function captured(p: Progress, capture: CaptureOutcome | null): StepOutcome {
  if (capture?.outcome === "captured") return done;
  if (capture?.outcome === "refused") return refuse(402, `the payment could not be captured: ${capture.message}`, "payment_failed");
  throw new NotYet(`capture of ${p.orderId} not confirmed yet`);
}

function rememberCard(p: Progress, card: { brand: string; last4: string } | null | undefined): void {
  p.payment = paymentSummary(p, card);
}

/** What the order keeps of the payment: the card's brand and last 4 once known, and the installment plan. */
function paymentSummary(p: Progress, card: { brand: string; last4: string } | null | undefined): PaymentSummary {
  const installments = p.priced?.installment ? { installments: p.priced.installment } : {};
  return { brand: card?.brand ?? null, last4: card?.last4 ?? p.request.card.last4, ...installments };
}

/** Every stock id this checkout may have touched: its own sales (from the lines) and the cart's flash holds. */
function holdsOf(p: Progress, io: Ports): { sku: string; holdId: string; owned: boolean }[] {
  const lines = p.lines ?? [];
  const own = [...new Set(lines.filter((l) => l.cartHoldId === null).map((l) => l.sku))];
  return [
    ...own.map((sku) => ({ sku, holdId: io.stock.holdIdFor(salePrefix(p), sku), owned: true })),
    ...lines.flatMap((l) => (l.cartHoldId === null ? [] : [{ sku: l.sku, holdId: l.cartHoldId, owned: false }])),
  ];
}

const withOutcome = (step: StepOutcome, outcome: NonNullable<Refusal["outcome"]>): StepOutcome =>
  step.ok ? step : { ok: false, refusal: { ...step.refusal, outcome } };

function outOfStock(shortfalls: { sku: string; requested: number; available: number }[]): StepOutcome {
  const names = shortfalls.map((s) => s.sku).join(", ");
  return withOutcome(
    refuse(409, `not enough stock for ${names}; nothing was held or charged`, "cancelled", {
      errors: shortfalls.map((s) => ({ field: "items", message: `SKU '${s.sku}': ${s.available} available, ${s.requested} asked for` })),
      extensions: { skus: names },
    }),
    "out_of_stock",
  );
}

const cardOf = (p: Progress) => (p.payment?.brand && p.payment.last4 ? { brand: p.payment.brand, last4: p.payment.last4 } : null);

// The events keep fixed ids, so writing or sending them again is one event to every consumer.
const placedEvent = (p: Progress, io: Ports, order: OrderRecord): OutboxRow =>
  outboxRow(EVENT_TYPES.orderPlaced, orderSummary(order), io.call.requestId, `${p.orderId}:placed`);
const paidEvents = (p: Progress, io: Ports, order: OrderRecord): OutboxRow[] => [
  placedEvent(p, io, order),
  outboxRow(
    EVENT_TYPES.orderPaid,
    { ...orderSummary(order), paymentId: p.orderId, card: cardOf(p) },
    io.call.requestId,
    `${p.orderId}:paid`,
  ),
];
function endedEvent(p: Progress, io: Ports, why: Refusal): OutboxRow {
  const type = why.orderStatus === "payment_failed" ? EVENT_TYPES.orderPaymentFailed : EVENT_TYPES.orderCancelled;
  return outboxRow(type, { orderId: p.orderId, reason: why.reason }, io.call.requestId, `${p.orderId}:${why.orderStatus}`);
}

function orderRecord(p: Progress): OrderRecord {
  const priced = p.priced;
  if (priced === undefined) throw new Error("an order before validateCart");
  return {
    id: p.orderId,
    userId: p.userId,
    tokenHash: p.tokenHash,
    email: p.request.email,
    currency: priced.total.currency,
    subtotal: priced.subtotal.amount,
    shipping: priced.shipping.amount,
    tax: priced.tax.amount,
    total: priced.total.amount,
    shippingAddress: p.request.shippingAddress,
    payment: p.payment ?? paymentSummary(p, null),
    cartId: p.request.cartId,
    checkoutId: p.checkoutId ?? null,
    createdAt: Date.parse(priced.pricedAt),
    parts: priced.parts,
  };
}

/**
 * Runs the steps not yet done, saving after each. A refusal undoes the finished steps in reverse and becomes the
 * answer; an exception (a crash, a service that did not answer) leaves the progress as it is, to be resumed
 * from there by the alarm or by a retry with the same key.
 */
export async function runCheckout(p: Progress, io: Ports): Promise<Answer> {
  fromEarlierRelease(p);
  if (p.compensating !== undefined) return compensate(p, io, p.compensating);
  for (const step of STEPS) {
    if (p.done.includes(step.name)) continue;
    const outcome = await step.run(p, io);
    if (!outcome.ok) {
      // The answer is fixed first: a replay of the same key says the same while compensation runs or retries.
      // The refusing step is undone too: it may have done part of its work (sold some SKUs, say). An order an
      // earlier release wrote is ended by charge's compensation.
      p.compensating = outcome.refusal;
      p.undoing = [...p.done, step.name, ...(p.orderWritten && step.name !== "charge" ? (["charge"] as const) : [])];
      p.answer = outcome.refusal.answer;
      io.save(p);
      io.outcome?.(outcome.refusal.outcome ?? "failed", null);
      try {
        return await compensate(p, io, outcome.refusal);
      } catch (err) {
        // The shopper's answer stands; the watchdog alarm finishes undoing what is left.
        io.log.warn("compensation not finished; the alarm retries it", { orderId: p.orderId, error: String(err) });
        return outcome.refusal.answer;
      }
    }
    p.done.push(step.name);
    // The last step's save also settles the checkout: one write, not two.
    if (p.done.length === STEPS.length) p.settled = true;
    if (step.rerunnable !== true || p.settled) io.save(p);
  }
  if (!p.settled) {
    p.settled = true;
    io.save(p);
  }
  io.outcome?.("placed", p.priced?.total ?? null);
  return p.answer ?? { status: 500, body: problem(500, "checkout ended without an answer") };
}

async function compensate(p: Progress, io: Ports, why: Refusal): Promise<Answer> {
  // Progress saved before `undoing` existed lists only the finished steps.
  p.undoing ??= [...p.done];
  for (const step of [...STEPS].reverse()) {
    if (!p.undoing.includes(step.name)) continue;
    if (step.compensate !== undefined) await step.compensate(p, io, why);
    p.undoing = p.undoing.filter((n) => n !== step.name);
    p.done = p.done.filter((n) => n !== step.name);
    if (p.undoing.length === 0) p.settled = true;
    io.save(p);
  }
  if (!p.settled) {
    p.settled = true;
    io.save(p);
  }
  return why.answer;
}

/**
 * Progress an earlier release saved (nine steps: holdStock, createOrder, authorizePayment, commitStock,
 * capturePayment, markPaid, emptyCart, publishEvents) resumes here under today's five: each old step counts as
 * done only where today's step it belongs to is wholly done, and the rest is rerun (every step is repeatable
 * by its ids and keys). An old `pending_payment` order is remembered, so a refusal still ends it.
 */
const EARLIER_STEPS: Readonly<Record<string, StepName | null>> = {
  validateCart: "validateCart",
  holdStock: null,
  commitStock: "takeStock",
  createOrder: null,
  authorizePayment: null,
  capturePayment: "charge",
  markPaid: "placeOrder",
  emptyCart: null,
  publishEvents: "finish",
};
const UNDONE_BY: Readonly<Record<string, StepName>> = {
  holdStock: "takeStock",
  commitStock: "takeStock",
  createOrder: "charge",
  authorizePayment: "charge",
};

function fromEarlierRelease(p: Progress): void {
  const names: readonly string[] = p.done;
  if (names.every((n) => (STEP_NAMES as readonly string[]).includes(n)) && (p.undoing ?? []).every((n) => STEP_NAMES.includes(n))) return;
  if (names.includes("createOrder") && !names.includes("markPaid")) p.orderWritten = true;
  p.done = STEP_NAMES.filter((step) => names.some((n) => EARLIER_STEPS[n] === step || n === step));
  if (p.undoing !== undefined) {
    const undoing: readonly string[] = p.undoing;
    p.undoing = STEP_NAMES.filter((step) => undoing.some((n) => UNDONE_BY[n] === step || n === step));
  }
}
