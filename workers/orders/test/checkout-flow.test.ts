import { describe, expect, it } from "vitest";
import type { CheckoutLine } from "#schema/cart.ts";
import type { OrderStatus } from "#schema/orders/dto.ts";
import type { AuthorizeOutcome, CaptureOutcome, ChargeOutcome, PaymentView, VoidOutcome } from "#schema/payments.ts";
import { createLogger } from "#shared/logger.ts";
import { ok, type Result } from "#shared/result.ts";
import {
  type Answer,
  type CartPort,
  NotYet,
  type OrderBook,
  type PaymentsPort,
  type Ports,
  type Progress,
  runCheckout,
  type StockPort,
} from "../src/checkout/flow.ts";
import { priceCheckout } from "../src/checkout/pricing-bridge.ts";

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
  /** The cart's flash-sale hold ran out before checkout commits it: takeStock sells the rest, then refuses. */
  loseFlashHold?: boolean;
  /** Stock of this SKU is short at takeStock. */
  short?: string;
  authorize?: "declined" | "timeout" | "timeout-but-authorized";
  /** `unavailable-once`: the provider does not answer the first capture (the alarm's resumed run captures). */
  capture?: "refused" | "unavailable-once";
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
  captureAttempts = 0;
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

  /** A hold (new or active) becomes a sale. */
  sell(holdId: string, hold: HoldState, sold: string[]): void {
    this.holds.set(holdId, { ...hold, status: "committed" });
    this.onHand.set(hold.sku, (this.onHand.get(hold.sku) ?? 0) - hold.quantity);
    sold.push(holdId);
  }

  reverse(holdId: string): void {
    const hold = this.holds.get(holdId);
    if (hold?.status !== "committed") return;
    hold.status = "reversed";
    this.onHand.set(hold.sku, (this.onHand.get(hold.sku) ?? 0) + hold.quantity);
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
      write: (_order, placement, events) =>
        this.call("orders.write", () => {
          const ids = events.map((e) => e.id);
          if (this.order === null) this.order = { status: placement.status, events: ids };
          else if (this.order.status === "pending_payment")
            this.order = { status: placement.status, events: [...new Set([...this.order.events, ...ids])] };
        }),
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
      sellAll: (lines, options) =>
        this.call("stock.sellAll", () => {
          const sold: string[] = [];
          const short: { sku: string; requested: number; available: number }[] = [];
          for (const l of lines) {
            const holdId = `${options.prefix}:${l.sku}`;
            const existing = this.holds.get(holdId);
            if (existing?.status === "committed") sold.push(holdId);
            else if (existing?.status === "active") this.sell(holdId, existing, sold);
            else if (existing === undefined && (this.onHand.get(l.sku) ?? 0) - this.held(l.sku) >= l.quantity)
              this.sell(holdId, { sku: l.sku, quantity: l.quantity, status: "active" }, sold);
            else short.push({ sku: l.sku, requested: l.quantity, available: 1 });
          }
          if (short.length === 0) return { ok: true as const };
          for (const id of sold) this.reverse(id);
          return { ok: false as const, shortfalls: short };
        }),
      commit: (_sku, holdId) =>
        this.call("stock.commit", () => {
          const hold = this.holds.get(holdId);
          if (hold === undefined) return false;
          if (this.plan.loseFlashHold && hold.status === "active") hold.status = "expired";
          if (hold.status === "committed") return true;
          if (hold.status !== "active") return false;
          this.sell(holdId, hold, []);
          return true;
        }),
      undo: (_sku, holdId, releaseActive) =>
        this.call("stock.undo", () => {
          const hold = this.holds.get(holdId);
          if (hold?.status === "active" && releaseActive) hold.status = "released";
          else if (hold?.status === "committed") this.reverse(holdId);
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
    const authorize = (): AuthorizeOutcome => {
      const mode = this.plan.authorize;
      if (mode === "declined") {
        this.payment ??= { status: "failed", captures: 0 };
        return { outcome: "declined", reason: "card_declined", message: "declined", card: null };
      }
      if (mode === "timeout-but-authorized") this.payment ??= { status: "authorized", captures: 0 };
      if (mode !== undefined) return { outcome: "unavailable", message: "timeout" };
      this.payment ??= { status: "authorized", captures: 0 };
      return { outcome: "authorized", payment: view("authorized") };
    };
    const capture = (): CaptureOutcome => {
      if (this.plan.capture === "refused") return { outcome: "refused", message: "refused" };
      if (this.plan.capture === "unavailable-once" && ++this.captureAttempts === 1) return { outcome: "unavailable", message: "timeout" };
      if (this.payment === null || (this.payment.status !== "authorized" && this.payment.status !== "captured"))
        return { outcome: "refused", message: "nothing authorized" };
      if (this.payment.status === "authorized") this.payment = { status: "captured", captures: this.payment.captures + 1 };
      return { outcome: "captured", payment: view("captured") };
    };
    const payments: PaymentsPort = {
      charge: () =>
        this.call("payments.charge", (): Result<ChargeOutcome> => {
          const authorized = authorize();
          return ok({ authorized, capture: authorized.outcome === "authorized" ? capture() : null });
        }),
      getPayment: () => this.call("payments.getPayment", () => ok(this.payment === null ? null : view(this.payment.status))),
      voidPayment: () =>
        this.call("payments.voidPayment", (): Result<VoidOutcome> => {
          if (this.payment?.status === "captured") throw new Error("a captured payment cannot be voided");
          if (this.payment?.status === "authorized") this.payment.status = "voided";
          return ok({ outcome: "voided", payment: null });
        }),
      capture: () => this.call("payments.capture", (): Result<CaptureOutcome> => ok(capture())),
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
      if (!(err instanceof Crash || err instanceof NotYet)) throw err;
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
  ["stock.sellAll", 1],
  ["stock.commit", 1],
  ["payments.charge", 1],
  ["orders.write", 1],
  ["cart.completeCheckout", 1],
  ["publish", 1],
];
const crashes: Plan[] = OPS_ON_SUCCESS.flatMap(([op, times]) =>
  Array.from({ length: times }, (_, i) => (["before", "after"] as const).map((when): Plan => ({ crash: { op, nth: i + 1, when } }))).flat(),
);
const refusals: [string, Plan][] = [
  ["the cart's flash-sale hold ran out: the other lines sold, then takeStock refuses", { loseFlashHold: true }],
  ["takeStock short on the second SKU", { short: "SKU-B" }],
  ["the card is declined", { authorize: "declined" }],
  ["the provider times out", { authorize: "timeout" }],
  ["the provider times out but had authorized", { authorize: "timeout-but-authorized" }],
  ["capture is refused after every SKU was sold", { capture: "refused" }],
];
// The card declined, then a crash in the middle of undoing the sales (before or after the kth undo landed).
const undos = SKUS.length + 1;
const crashesWhileUndoing: [string, Plan][] = Array.from({ length: undos }, (_, k) =>
  (["before", "after"] as const).map((when): [string, Plan] => [
    `the card is declined, then a crash ${when} undo #${k + 1}`,
    { authorize: "declined", crash: { op: "stock.undo", nth: k + 1, when } },
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
      // Once the provider has charged, a crash cannot lose the sale: the resumed run finds the payment.
      const crash = plan.crash;
      const charged = crash !== undefined && crash.op === "payments.charge" && crash.when === "after";
      const later = crash !== undefined && !["cart.checkoutLines", "stock.sellAll", "stock.commit", "payments.charge"].includes(crash.op);
      if (charged || later) expect(world.order?.status).toBe("paid");
    },
  );

  it("tells the metrics how each checkout ended: placed, declined, out of stock, or failed", async () => {
    const cases: [Plan, string[]][] = [
      [{}, ["placed"]],
      [{ authorize: "declined" }, ["declined"]],
      [{ short: "SKU-B" }, ["out_of_stock"]],
      [{ authorize: "timeout" }, ["failed"]],
      [{ capture: "refused" }, ["failed"]],
      // A run that stops short counts nothing in the flow (the Checkout object counts the failed request); the
      // resumed run places it.
      [{ capture: "unavailable-once" }, ["placed"]],
      [{ crash: { op: "orders.write", nth: 1, when: "before" } }, ["placed"]],
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

describe("checkout progress an earlier release saved (nine steps) resumes under today's five", () => {
  /** The World as the nine-step flow left it after `done`: own lines held (or sold), the order `pending_payment`. */
  function earlier(done: string[], sold: boolean, authorized: boolean): World {
    const world = new World({});
    const lines = world.lines();
    const priced = priceCheckout(lines, world.saved.request);
    if (!priced.ok) throw new Error(priced.message);
    for (const l of lines) {
      const holdId = l.cartHoldId ?? `order:ord_test:${l.sku}`;
      world.holds.set(holdId, { sku: l.sku, quantity: l.quantity, status: "active" });
      if (sold) world.sell(holdId, { sku: l.sku, quantity: l.quantity, status: "active" }, []);
    }
    world.order = { status: "pending_payment", events: ["ord_test:placed"] };
    if (authorized) world.payment = { status: "authorized", captures: 0 };
    // As the object loads it: JSON, whatever names its steps had then.
    world.saved = JSON.parse(JSON.stringify({ ...world.saved, done, lines, priced: priced.value })) as Progress;
    return world;
  }

  it("after commitStock: the alarm captures, marks the order paid and empties the cart", async () => {
    const world = earlier(["validateCart", "holdStock", "createOrder", "authorizePayment", "commitStock"], true, true);
    const answer = await runCheckout(structuredClone(world.saved), world.ports(true));
    expect(answer.status).toBe(201);
    expect(world.order?.status).toBe("paid");
    expect(world.calls.get("stock.sellAll") ?? 0).toBe(0);
    checkSettled(world, { answer, forgotten: false, runs: 1 });
  });

  it("after createOrder, never authorized: the holds are sold then put back, and the old order ends payment_failed", async () => {
    const world = earlier(["validateCart", "holdStock", "createOrder"], false, false);
    const answer = await runCheckout(structuredClone(world.saved), world.ports(true));
    expect(answer.status).toBe(402);
    expect(world.order?.status).toBe("payment_failed");
    checkSettled(world, { answer, forgotten: false, runs: 1 });
  });
});
