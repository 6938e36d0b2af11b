import { describe, expect, it } from "vitest";
import type { CheckoutLine } from "../../../schema/cart.ts";
import type { OrderStatus, OrderView } from "../../../schema/orders/dto.ts";
import type { AuthorizeOutcome, CaptureOutcome, PaymentView, VoidOutcome } from "../../../schema/payments.ts";
import { createLogger } from "../../shared/src/logger.ts";
import { ok, type Result } from "../../shared/src/result.ts";
import {
  type Answer,
  type CartPort,
  type OrderBook,
  type PaymentsPort,
  type Ports,
  type Progress,
  runCheckout,
  type StockPort,
} from "../src/checkout/flow.ts";
import { canMove } from "../src/order-status.ts";

// The checkout flow against fakes of every service it calls, driven through a table of failures: each service
// call may crash (before its effect lands, or after it landed but before its answer came back), and each step
// may refuse, after any number of its items. A crash loses what was not saved: the run resumes from the last
// saved progress, as the Checkout object's alarm resumes it, without the card or the cart token. Whatever
// happens, the checkout settles either paid (every unit sold once, the money captured once) or not (every unit
// back, no hold of its own left, nothing captured, any authorization voided).

const SKUS = ["SKU-A", "SKU-B", "SKU-C"] as const;
const FLASH = "SKU-F";
const ON_HAND = 10;

class Crash extends Error {}

type HoldState = { sku: string; quantity: number; status: "active" | "released" | "committed" | "expired" | "reversed" };
type Plan = {
  /** The nth call of `op` (counted over the whole checkout, across resumes) throws, before or after its effect. */
  crash?: { op: string; nth: number; when: "before" | "after" };
  /** The nth commit finds its hold gone (it ran out): commitStock commits the others, then refuses. */
  loseHoldAt?: number;
  /** Stock of this SKU is short at holdStock. */
  short?: string;
  authorize?: "declined" | "timeout" | "timeout-but-authorized";
  capture?: "refused";
};

/** Every service the flow calls, in memory, with the failures of one plan. */
class World {
  /** What the operations metrics were told, one entry per run that ended. */
  outcomes: string[] = [];
  readonly calls = new Map<string, number>();
  readonly onHand = new Map<string, number>([...SKUS, FLASH].map((s) => [s, ON_HAND]));
  readonly opening: ReadonlyMap<string, number>;
  readonly holds = new Map<string, HoldState>();
  order: { status: OrderStatus; events: string[] } | null = null;
  payment: { status: "authorized" | "captured" | "voided" | "failed"; captures: number } | null = null;
  cartCompleted = 0;
  published = 0;
  saved: Progress;

  constructor(readonly plan: Plan) {
    if (plan.short !== undefined) this.onHand.set(plan.short, 1);
    this.opening = new Map(this.onHand);
    // The cart already holds its flash-sale line (taken at add-to-cart): checkout commits that hold, not its own.
    this.holds.set("cart:f", { sku: FLASH, quantity: 1, status: "active" });
    this.saved = {
      orderId: "ord_test",
      done: [],
      request: {
        cartId: "crt_0123456789012345678901",
        email: "buyer@example.com",
        shippingAddress: { name: "Ann", line1: "1 Main St", city: "Springfield", postalCode: "12345", country: "US" },
        card: { last4: "4242" },
      },
      userId: null,
      orderToken: null,
      tokenHash: null,
    };
  }

  /** Counts the call and crashes where the plan says; `effect` is what the call does when it gets through. */
  async call<T>(op: string, effect: () => T): Promise<T> {
    const nth = (this.calls.get(op) ?? 0) + 1;
    this.calls.set(op, nth);
    const crash = this.plan.crash;
    const strikes = crash !== undefined && crash.op === op && crash.nth === nth;
    if (strikes && crash.when === "before") throw new Crash(`${op} #${nth} before`);
    const result = effect();
    if (strikes) throw new Crash(`${op} #${nth} after`);
    return result;
  }

  held(sku: string): number {
    return [...this.holds.values()].filter((h) => h.sku === sku && h.status === "active").reduce((n, h) => n + h.quantity, 0);
  }

  lines(): CheckoutLine[] {
    const line = (sku: string, cartHoldId: string | null): CheckoutLine => ({
      sku,
      productSlug: sku.toLowerCase(),
      title: sku,
      quantity: sku === FLASH ? 1 : 2,
      unitPrice: { amount: 1500, currency: "USD" },
      merchantId: sku === "SKU-C" ? "mer_b" : "mer_a",
      department: "home",
      cartHoldId,
    });
    return [...SKUS.map((s) => line(s, null)), line(FLASH, "cart:f")];
  }

  ports(resumed: boolean): Ports {
    const orders: OrderBook = {
      insert: (_order, events) =>
        this.call("orders.insert", () => {
          this.order ??= { status: "pending_payment", events: events.map((e) => e.id) };
        }),
      move: (_id, to, _reason, events) =>
        this.call("orders.move", () => {
          const from = this.order?.status ?? null;
          if (this.order === null || from === null) return { ok: false as const, from: null };
          if (from === to) return { ok: true as const, from, repeated: true };
          if (!canMove(from, to)) return { ok: false as const, from };
          this.order = { status: to, events: [...this.order.events, ...events.map((e) => e.id)] };
          return { ok: true as const, from, repeated: false };
        }),
      setPaymentSummary: () => this.call("orders.setPaymentSummary", () => undefined),
      view: (id) =>
        this.call("orders.view", () => (this.order === null ? null : ({ id, status: this.order.status } as unknown as OrderView))),
    };
    const cart: CartPort = {
      checkoutLines: () => this.call("cart.checkoutLines", () => ok({ lines: this.lines(), refusals: [] })),
      completeCheckout: () =>
        this.call("cart.completeCheckout", () => {
          this.cartCompleted = 1;
        }),
    };
    const stock: StockPort = {
      holdIdFor: (prefix, sku) => `${prefix}:${sku}`,
      holdAll: (lines, options) =>
        this.call("stock.holdAll", () => {
          const short = lines.filter((l) => {
            const existing = this.holds.get(`${options.prefix}:${l.sku}`);
            return existing?.status !== "active" && (this.onHand.get(l.sku) ?? 0) - this.held(l.sku) < l.quantity;
          });
          if (short.length > 0)
            return { ok: false as const, shortfalls: short.map((l) => ({ sku: l.sku, requested: l.quantity, available: 1 })) };
          const holds = lines.map((l) => {
            const holdId = `${options.prefix}:${l.sku}`;
            if (!this.holds.has(holdId)) this.holds.set(holdId, { sku: l.sku, quantity: l.quantity, status: "active" });
            return { sku: l.sku, quantity: l.quantity, holdId };
          });
          return { ok: true as const, holds };
        }),
      commit: (sku, holdId) =>
        this.call("stock.commit", () => {
          const hold = this.holds.get(holdId);
          if (hold === undefined) return false;
          if (this.calls.get("stock.commit") === this.plan.loseHoldAt && hold.status === "active") hold.status = "expired";
          if (hold.status === "committed") return true;
          if (hold.status !== "active") return false;
          hold.status = "committed";
          this.onHand.set(sku, (this.onHand.get(sku) ?? 0) - hold.quantity);
          return true;
        }),
      undo: (sku, holdId, releaseActive) =>
        this.call("stock.undo", () => {
          const hold = this.holds.get(holdId);
          if (hold?.status === "active" && releaseActive) hold.status = "released";
          else if (hold?.status === "committed") {
            hold.status = "reversed";
            this.onHand.set(sku, (this.onHand.get(sku) ?? 0) + hold.quantity);
          }
        }),
    };
    const view = (status: PaymentView["status"]): PaymentView => ({
      paymentId: "ord_test",
      provider: "test",
      providerRef: "ref",
      status,
      amount: { amount: 0, currency: "USD" },
      captured: 0,
      refunded: 0,
      card: { brand: "visa", last4: "4242" },
    });
    const payments: PaymentsPort = {
      authorize: () =>
        this.call("payments.authorize", (): Result<AuthorizeOutcome> => {
          const mode = this.plan.authorize;
          if (mode === "declined") {
            this.payment ??= { status: "failed", captures: 0 };
            return ok({ outcome: "declined", reason: "card_declined", message: "declined", card: null });
          }
          if (mode === "timeout-but-authorized") this.payment ??= { status: "authorized", captures: 0 };
          if (mode !== undefined) return ok({ outcome: "unavailable", message: "timeout" });
          this.payment ??= { status: "authorized", captures: 0 };
          return ok({ outcome: "authorized", payment: view("authorized") });
        }),
      getPayment: () => this.call("payments.getPayment", () => ok(this.payment === null ? null : view(this.payment.status))),
      voidPayment: () =>
        this.call("payments.voidPayment", (): Result<VoidOutcome> => {
          if (this.payment?.status === "captured") throw new Error("a captured payment cannot be voided");
          if (this.payment?.status === "authorized") this.payment.status = "voided";
          return ok({ outcome: "voided", payment: null });
        }),
      capture: () =>
        this.call("payments.capture", (): Result<CaptureOutcome> => {
          if (this.plan.capture === "refused") return ok({ outcome: "refused", message: "refused" });
          if (this.payment === null || (this.payment.status !== "authorized" && this.payment.status !== "captured"))
            return ok({ outcome: "refused", message: "nothing authorized" });
          if (this.payment.status === "authorized") this.payment = { status: "captured", captures: this.payment.captures + 1 };
          return ok({ outcome: "captured", payment: view("captured") });
        }),
    };
    return {
      orders,
      cart,
      stock,
      payments,
      log: createLogger("orders-test", "error"),
      config: { holdTtlMs: 60_000, authorizeAttempts: 2, retryDelayMs: 0 },
      call: { requestId: "req-test" },
      save: (p) => {
        this.saved = structuredClone(p);
      },
      outcome: (outcome) => {
        this.outcomes.push(outcome);
      },
      publish: () =>
        this.call("publish", () => {
          this.published++;
        }),
      // The alarm's run has neither: they lived only in the first request's memory.
      payment: resumed ? null : { method: "card", card: { number: "4242424242424242", expMonth: 12, expYear: 2099, cvc: "123" } },
      cartAccess: resumed ? null : { token: "cart-token" },
    };
  }
}

type Outcome = { answer: Answer | null; forgotten: boolean; runs: number };

/** Runs the checkout as the Checkout object does: a first request, then the alarm's resumes after each crash. */
async function drive(world: World): Promise<Outcome> {
  for (let run = 1; run <= 20; run++) {
    const p = structuredClone(world.saved);
    // The object forgets a checkout whose first step never finished (nothing happened yet).
    if (run > 1 && p.done.length === 0 && p.compensating === undefined) return { answer: null, forgotten: true, runs: run };
    try {
      const answer = await runCheckout(p, world.ports(run > 1));
      if (p.settled) return { answer, forgotten: false, runs: run };
    } catch (err) {
      if (!(err instanceof Crash)) throw err;
    }
  }
  throw new Error("the checkout never settled");
}

/** What must hold whatever failed: paid means sold once and captured once; anything else means nothing kept. */
function checkSettled(world: World, outcome: Outcome): void {
  const status = world.order?.status ?? null;
  const own = [...world.holds.entries()].filter(([id]) => id.startsWith("order:ord_test:"));
  if (status === "paid") {
    for (const sku of SKUS) expect(world.onHand.get(sku), sku).toBe(ON_HAND - 2);
    expect(world.onHand.get(FLASH)).toBe(ON_HAND - 1);
    expect(world.payment).toEqual({ status: "captured", captures: 1 });
    expect(own.every(([, h]) => h.status === "committed")).toBe(true);
    expect(world.cartCompleted).toBe(1);
    expect(outcome.answer?.status ?? 201).toBe(201);
    return;
  }
  expect([null, "payment_failed", "cancelled"]).toContain(status);
  for (const sku of [...SKUS, FLASH]) expect(world.onHand.get(sku), `${sku} back on hand`).toBe(world.opening.get(sku));
  expect(own.filter(([, h]) => h.status === "active" || h.status === "committed")).toEqual([]);
  expect(world.payment?.status ?? "none").not.toBe("captured");
  expect(world.payment?.status ?? "none").not.toBe("authorized");
  // The cart's own flash-sale hold stays the cart's (expired if it ran out; reversed if checkout had committed it).
  expect(["active", "expired", "reversed"]).toContain(world.holds.get("cart:f")?.status);
  if (outcome.answer !== null) expect(outcome.answer.status).not.toBe(201);
  if (status !== null) expect(world.order?.events.some((e) => e.endsWith(`:${status}`))).toBe(true);
}

const OPS_ON_SUCCESS: [op: string, times: number][] = [
  ["cart.checkoutLines", 1],
  ["stock.holdAll", 1],
  ["orders.insert", 1],
  ["payments.authorize", 1],
  ["orders.setPaymentSummary", 1],
  ["stock.commit", SKUS.length + 1],
  ["payments.capture", 1],
  ["orders.move", 1],
  ["orders.view", 1],
  ["cart.completeCheckout", 1],
  ["publish", 1],
];
const crashes: Plan[] = OPS_ON_SUCCESS.flatMap(([op, times]) =>
  Array.from({ length: times }, (_, i) => (["before", "after"] as const).map((when): Plan => ({ crash: { op, nth: i + 1, when } }))).flat(),
);
const commits = SKUS.length + 1;
const refusals: [string, Plan][] = [
  // The lost hold is skipped and the others commit; then the step refuses, with the rest of its work done.
  ...Array.from({ length: commits }, (_, k): [string, Plan] => [
    `commitStock finds hold ${k + 1} of ${commits} gone, commits the others, then refuses`,
    { loseHoldAt: k + 1 },
  ]),
  ["holdStock short on the second SKU", { short: "SKU-B" }],
  ["the card is declined", { authorize: "declined" }],
  ["the provider times out", { authorize: "timeout" }],
  ["the provider times out but had authorized", { authorize: "timeout-but-authorized" }],
  ["capture is refused after every SKU was committed", { capture: "refused" }],
];
// A refusal, then a crash in the middle of undoing it (before or after the undo of the kth hold landed).
const crashesWhileUndoing: [string, Plan][] = Array.from({ length: commits }, (_, k) =>
  (["before", "after"] as const).map((when): [string, Plan] => [
    `commitStock refuses (hold 3 gone), then a crash ${when} undo #${k + 1}`,
    { loseHoldAt: 3, crash: { op: "stock.undo", nth: k + 1, when } },
  ]),
).flat();

describe("checkout flow: every failure settles paid-and-sold or undone", () => {
  it("with nothing going wrong: paid, every unit sold once, one capture, the cart emptied", async () => {
    const world = new World({});
    const outcome = await drive(world);
    expect(outcome.answer?.status).toBe(201);
    expect(world.order?.status).toBe("paid");
    checkSettled(world, outcome);
  });

  it.each(crashes.map((plan) => [`a crash ${plan.crash?.when} ${plan.crash?.op} #${plan.crash?.nth}`, plan] as const))(
    "%s",
    async (_name, plan) => {
      const world = new World(plan);
      const outcome = await drive(world);
      checkSettled(world, outcome);
      // Once the provider has authorized, a crash cannot lose the sale: the resumed run finds the authorization.
      const crash = plan.crash;
      const authorized = crash !== undefined && crash.op === "payments.authorize" && crash.when === "after";
      const later =
        crash !== undefined && !["cart.checkoutLines", "stock.holdAll", "orders.insert", "payments.authorize"].includes(crash.op);
      if (authorized || later) expect(world.order?.status).toBe("paid");
    },
  );

  it("tells the metrics how each checkout ended: placed, declined, out of stock, or failed", async () => {
    const cases: [Plan, string[]][] = [
      [{}, ["placed"]],
      [{ authorize: "declined" }, ["declined"]],
      [{ short: "SKU-B" }, ["out_of_stock"]],
      [{ authorize: "timeout" }, ["failed"]],
      [{ capture: "refused" }, ["failed"]],
      // A crash counts nothing in the flow (the Checkout object counts the failed request); the resumed run places it.
      [{ crash: { op: "payments.capture", nth: 1, when: "before" } }, ["placed"]],
    ];
    for (const [plan, expected] of cases) {
      const world = new World(plan);
      await drive(world);
      expect(world.outcomes, JSON.stringify(plan)).toEqual(expected);
    }
  });

  it.each([...refusals, ...crashesWhileUndoing])("%s", async (_name, plan) => {
    const world = new World(plan);
    const outcome = await drive(world);
    checkSettled(world, outcome);
    expect(world.order?.status ?? null).not.toBe("paid");
  });
});
