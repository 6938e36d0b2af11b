import type { CartAccess, CartCall, CheckoutLine, CheckoutRefusal } from "../../../../schema/cart.ts";
import { EVENT_TYPES } from "../../../../schema/events.ts";
import type { CheckoutBody, OrderStatus, OrderView, PaymentSummary, PlacedOrder } from "../../../../schema/orders/dto.ts";
import type {
  AuthorizeOutcome,
  AuthorizeRequest,
  CaptureOutcome,
  PaymentMethodInput,
  PaymentView,
  VoidOutcome,
} from "../../../../schema/payments.ts";
import type { Problem } from "../../../../schema/problem.ts";
import type { Logger } from "../../../shared/src/logger.ts";
import type { CheckoutOutcome } from "../../../shared/src/metrics/points.ts";
import { type OutboxRow, outboxRow } from "../../../shared/src/outbox.ts";
import { problem } from "../../../shared/src/problem.ts";
import type { Result } from "../../../shared/src/result.ts";
import type { TransitionResult } from "../order-status.ts";
import { type OrderRecord, orderSummary } from "../order-store.ts";
import { type PricedCheckout, priceCheckout } from "./pricing-bridge.ts";

/*
 * Checkout, as named steps run in order. Each step's result is saved before the next starts, so a crash at any
 * point resumes from the last finished step (the Checkout object's alarm does that, or the next request with
 * the same Idempotency-Key). A step that refuses (declined card, stock gone) undoes its own partial work and
 * then the finished steps, in reverse, each with its compensation:
 *
 *   validateCart      prices from the catalog, never the client         —
 *   holdStock         every line held, all or nothing (holdAll)          release the holds it took
 *   createOrder       `pending_payment`, totals computed here, order.placed   → `payment_failed` / `cancelled` + event
 *   authorizePayment  the provider, with one idempotency key             void the authorization (also after a timeout)
 *   commitStock       holds become sales, one SKU at a time              undo every hold: release, or put sold units back
 *   capturePayment    take the money                                      —  (nothing after it can refuse)
 *   markPaid          `paid` + order.paid, in one transaction             —
 *   emptyCart         the ordered lines leave the cart                    —  (retried until done)
 *   publishEvents     the outbox goes to the order-events queue           —  (retried until done)
 *
 * Every compensation undoes whatever its step did, finished or not, and may run any number of times (each call
 * is keyed or idempotent), because a crash can strike in the middle of a step or of its compensation.
 * Never paid-but-unfulfillable: stock is held before the card is charged, and a payment whose stock could not
 * be committed is voided. Never charged twice: every provider call carries a key derived from the order id.
 */

export const STEP_NAMES = [
  "validateCart",
  "holdStock",
  "createOrder",
  "authorizePayment",
  "commitStock",
  "capturePayment",
  "markPaid",
  "emptyCart",
  "publishEvents",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export type HeldLine = { sku: string; quantity: number; holdId: string };

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
  /** Holds this checkout must commit: its own (`owned`) and the cart's flash-sale holds. */
  holds?: (HeldLine & { owned: boolean })[];
  committed?: string[];
  payment?: PaymentSummary;
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
  /** Writes the new `pending_payment` order and its events in one transaction; writing it again changes nothing. */
  insert(order: OrderRecord, events: OutboxRow[]): Promise<void>;
  move(orderId: string, to: OrderStatus, reason: string, events: OutboxRow[]): Promise<TransitionResult>;
  setPaymentSummary(orderId: string, payment: PaymentSummary): Promise<void>;
  view(orderId: string): Promise<OrderView | null>;
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
  /** Holds every line or none, under hold ids derived from `prefix` (a retry finds its own holds). */
  holdAll(
    lines: { sku: string; quantity: number }[],
    options: { prefix: string; ttlMs: number; owner: string },
  ): Promise<{ ok: true; holds: HeldLine[] } | { ok: false; shortfalls: Shortfall[] }>;
  /** The hold id `holdAll` uses for a SKU (so a compensation finds holds a crash kept it from recording). */
  holdIdFor(prefix: string, sku: string): string;
  /** Turns the hold into a sale; false if the hold is gone (expired, released). Committing twice is one sale. */
  commit(sku: string, holdId: string): Promise<boolean>;
  /** Undoes whatever the hold did (released if active and `releaseActive`, sold units back if committed); repeatable. */
  undo(sku: string, holdId: string, releaseActive: boolean): Promise<void>;
};
export type Shortfall = { sku: string; requested: number; available: number };

/** The payments Worker. */
export type PaymentsPort = {
  authorize(req: AuthorizeRequest, call: CartCall): Promise<Result<AuthorizeOutcome>>;
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
  /** Sends the order outbox; a failure leaves the rows for the alarm's next try. */
  publish: () => Promise<void>;
  /** The payment method and the guest's cart token: only in a request's memory, never saved (null when resumed). */
  payment: PaymentMethodInput | null;
  cartAccess: CartAccess | null;
};

/** A step's refusal: the answer to give, and the status the order ends in if one was created. */
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
  run: (p: Progress, io: Ports) => Promise<StepOutcome>;
  /** Undoes what `run` did, all or part of it; runs for a finished step and for the step that refused. */
  compensate?: (p: Progress, io: Ports, why: Refusal) => Promise<void>;
};

const done: StepOutcome = { ok: true };
const refuse = (status: number, detail: string, orderStatus: Refusal["orderStatus"], extra?: Partial<Problem>): StepOutcome => ({
  ok: false,
  refusal: { answer: { status, body: { ...problem(status, detail), ...extra } }, orderStatus, reason: detail },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keyFor = (p: Progress, op: "authorize" | "capture" | "void") => `${p.orderId}:${op}`;
const holdPrefix = (p: Progress) => `order:${p.orderId}`;

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
    name: "holdStock",
    async run(p, io) {
      const lines = p.lines ?? [];
      const own = lines.filter((l) => l.cartHoldId === null);
      const held = await io.stock.holdAll(own, { prefix: holdPrefix(p), ttlMs: io.config.holdTtlMs, owner: holdPrefix(p) });
      if (!held.ok) return outOfStock(held.shortfalls);
      p.holds = [
        ...held.holds.map((h) => ({ sku: h.sku, quantity: h.quantity, holdId: h.holdId, owned: true })),
        ...lines.flatMap((l) => (l.cartHoldId === null ? [] : [{ sku: l.sku, quantity: l.quantity, holdId: l.cartHoldId, owned: false }])),
      ];
      return done;
    },
    async compensate(p, io) {
      // From the lines, not p.holds: a crash inside holdAll can leave holds it never got to record.
      const own = (p.lines ?? []).filter((l) => l.cartHoldId === null);
      await Promise.all(own.map((l) => io.stock.undo(l.sku, io.stock.holdIdFor(holdPrefix(p), l.sku), true)));
    },
  },
  {
    name: "createOrder",
    async run(p, io) {
      const order = orderRecord(p);
      // The installment plan is known now; the card's brand once the provider has seen it.
      p.payment = order.payment;
      await io.orders.insert(order, [outboxRow(EVENT_TYPES.orderPlaced, orderSummary(order), io.call.requestId, `${p.orderId}:placed`)]);
      return done;
    },
    async compensate(p, io, why) {
      const type = why.orderStatus === "payment_failed" ? EVENT_TYPES.orderPaymentFailed : EVENT_TYPES.orderCancelled;
      const event = outboxRow(type, { orderId: p.orderId, reason: why.reason }, io.call.requestId, `${p.orderId}:${why.orderStatus}`);
      await io.orders.move(p.orderId, why.orderStatus, why.reason, [event]);
    },
  },
  {
    name: "authorizePayment",
    async run(p, io) {
      const total = p.priced?.total ?? { amount: 0, currency: "USD" };
      if (io.payment === null) {
        // Resumed after a crash: the card is gone with the request that brought it. Whatever the provider did
        // under this order's key is in the ledger; anything short of an authorization is not a sale.
        const known = await io.payments.getPayment(p.orderId, io.call);
        if (known.ok && known.value !== null && known.value.status === "authorized") {
          p.payment = { ...p.payment, brand: known.value.card?.brand ?? null, last4: known.value.card?.last4 ?? p.request.card.last4 };
          return done;
        }
        return refuse(402, "checkout was interrupted before the payment was authorized; nothing was charged", "payment_failed");
      }
      for (let attempt = 1; ; attempt++) {
        const result = await io.payments.authorize(
          {
            paymentId: p.orderId,
            idempotencyKey: keyFor(p, "authorize"),
            amount: total,
            payment: io.payment,
            email: p.request.email,
          },
          io.call,
        );
        if (!result.ok)
          return {
            ok: false,
            refusal: {
              answer: { status: result.problem.status, body: result.problem },
              orderStatus: "payment_failed",
              reason: "invalid payment",
            },
          };
        const outcome = result.value;
        if (outcome.outcome === "authorized") {
          p.payment = {
            ...p.payment,
            brand: outcome.payment.card?.brand ?? null,
            last4: outcome.payment.card?.last4 ?? p.request.card.last4,
          };
          await io.orders.setPaymentSummary(p.orderId, p.payment);
          return done;
        }
        if (outcome.outcome === "declined") {
          const detail =
            outcome.reason === "insufficient_funds"
              ? "the card has insufficient funds"
              : `the payment was declined (${outcome.reason.replace("_", " ")})`;
          return withOutcome(refuse(402, detail, "payment_failed", { extensions: { reason: outcome.reason } }), "declined");
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
    async compensate(p, io) {
      // Also after a timeout: whatever the provider did under the key is undone.
      const voided = await io.payments.voidPayment(p.orderId, keyFor(p, "void"), io.call);
      if (!voided.ok || voided.value.outcome !== "voided") throw new Error(`void of ${p.orderId} did not go through; will retry`);
    },
  },
  {
    name: "commitStock",
    async run(p, io) {
      p.committed ??= [];
      const lost: string[] = [];
      for (const h of p.holds ?? []) {
        if (p.committed.includes(h.sku)) continue;
        if (await io.stock.commit(h.sku, h.holdId)) p.committed.push(h.sku);
        else lost.push(h.sku);
        io.save(p);
      }
      if (lost.length > 0) {
        return refuse(409, `the hold on ${lost.join(", ")} ran out before payment; nothing was charged`, "cancelled", {
          errors: lost.map((sku) => ({ field: "items", message: `SKU '${sku}' is no longer held for this order` })),
        });
      }
      return done;
    },
    async compensate(p, io) {
      // Every hold, whether or not p.committed says so: a commit can land and its answer be lost in a crash. The
      // object decides in one call (released if still active and ours, sold units back if committed).
      for (const h of p.holds ?? []) await io.stock.undo(h.sku, h.holdId, h.owned);
    },
  },
  {
    name: "capturePayment",
    async run(p, io) {
      const result = await io.payments.capture(p.orderId, keyFor(p, "capture"), io.call);
      if (result.ok && result.value.outcome === "captured") return done;
      if (result.ok && result.value.outcome === "refused")
        return refuse(402, `the payment could not be captured: ${result.value.message}`, "payment_failed");
      // Unavailable: throw, so the alarm retries with the same key.
      throw new Error(`capture of ${p.orderId} not confirmed yet`);
    },
  },
  {
    name: "markPaid",
    async run(p, io) {
      const order = orderRecord(p);
      const event = outboxRow(
        EVENT_TYPES.orderPaid,
        { ...orderSummary(order), paymentId: p.orderId, card: cardOf(p) },
        io.call.requestId,
        `${p.orderId}:paid`,
      );
      const moved = await io.orders.move(p.orderId, "paid", "payment captured", [event]);
      if (!moved.ok) throw new Error(`order ${p.orderId} could not be marked paid (it is ${moved.from})`);
      return done;
    },
  },
  {
    name: "emptyCart",
    async run(p, io) {
      await io.cart.completeCheckout(
        p.orderId,
        (p.lines ?? []).map((l) => ({ sku: l.sku, quantity: l.quantity })),
      );
      return done;
    },
  },
  {
    name: "publishEvents",
    async run(_p, io) {
      await io.publish();
      return done;
    },
  },
];

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

function orderRecord(p: Progress): OrderRecord {
  const priced = p.priced;
  if (priced === undefined) throw new Error("createOrder before validateCart");
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
    payment: p.payment ?? { brand: null, last4: p.request.card.last4, ...(priced.installment ? { installments: priced.installment } : {}) },
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
  if (p.compensating !== undefined) return compensate(p, io, p.compensating);
  for (const step of STEPS) {
    if (p.done.includes(step.name)) continue;
    const outcome = await step.run(p, io);
    if (!outcome.ok) {
      // The answer is fixed first: a replay of the same key says the same while compensation runs or retries.
      // The refusing step is undone too: it may have done part of its work (committed some SKUs, say).
      p.compensating = outcome.refusal;
      p.undoing = [...p.done, step.name];
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
    if (step.name === "markPaid") p.answer = await placedAnswer(p, io);
    io.save(p);
  }
  p.settled = true;
  io.save(p);
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
    io.save(p);
  }
  await io.publish();
  p.settled = true;
  io.save(p);
  return why.answer;
}

async function placedAnswer(p: Progress, io: Ports): Promise<Answer> {
  const order = await io.orders.view(p.orderId);
  if (order === null) throw new Error(`order ${p.orderId} vanished`);
  return { status: 201, body: { order, ...(p.orderToken ? { orderToken: p.orderToken } : {}) } };
}
