import { DurableObject } from "cloudflare:workers";
import type { CartAccess, CartCall } from "#schema/cart.ts";
import type { CheckoutBody } from "#schema/orders/dto.ts";
import { knownLast4 } from "#schema/payments.ts";
import { randomToken, sha256Hex } from "#shared/crypto.ts";
import { errorFields, type Logger } from "#shared/logger.ts";
import type { CheckoutOutcome } from "#shared/metrics/points.ts";
import { recordMetric } from "#shared/metrics/record.ts";
import { objectLogger } from "#shared/object-logger.ts";
import { ObjectSchema } from "#shared/object-schema.ts";
import { newOrderId } from "#shared/order-id.ts";
import { problem } from "#shared/problem.ts";
import { type CheckoutObjectConfig, checkoutConfig } from "../config.ts";
import { ordersDb } from "../db.ts";
import { publishOrderEvents } from "../order-events.ts";
import { orderShards, shardD1 } from "../shards.ts";
import { CHECKOUT_SCHEMA } from "./checkout-schema.ts";
import { type Answer, type Ports, type Progress, runCheckout } from "./flow.ts";
import { cartPort, orderBook, paymentsPort, stockPort } from "./ports.ts";
import { progressWithoutBuyer } from "./without-buyer.ts";

/** What the first request brings and no retry may change (a card number only as its last 4). */
export type CheckoutRequest = {
  body: CheckoutBody;
  userId: string | null;
  cartAccess: CartAccess;
  call: CartCall;
};

/**
 * One checkout: the object is named by the caller's scope and the Idempotency-Key, so every request with that
 * key meets here. The first runs the flow; the others wait for its answer (never a second order); a different
 * body with the same key is a 422. Progress is saved after every step, and an alarm set before the first step
 * finishes or undoes whatever a crash interrupted: no human needed, no checkout left in between.
 *
 * Why an object with alarms and not Workflows: the shopper waits for this answer (201/402/409 in one request),
 * concurrent duplicates must meet in one place to wait for it, and each step's result must be kept before the
 * next starts. One object gives all three with one storage write per step, and runs the same under
 * `npm start`, in tests and in production.
 */
export class Checkout extends DurableObject<OrdersEnv> {
  private inflight: Promise<Answer> | null = null;
  private readonly schema: ObjectSchema<SqlStorage>;

  constructor(ctx: DurableObjectState, env: OrdersEnv) {
    super(ctx, env);
    this.schema = new ObjectSchema(ctx.storage, CHECKOUT_SCHEMA);
  }

  // The first use brings the object's schema to the newest version (again after the key is forgotten).
  private get sql(): SqlStorage {
    return this.schema.sql;
  }

  // An idempotency key is remembered for config.keyLifetimeMs (a day, as Stripe does); then the object forgets it.
  private get config(): CheckoutObjectConfig {
    return checkoutConfig(this.env);
  }

  private logger(requestId?: string): Logger {
    return objectLogger("orders", "Checkout", this.env.LOG_LEVEL, requestId === undefined ? undefined : { requestId }, {
      checkout: this.ctx.id.name,
    });
  }

  private load(): { fingerprint: string; progress: Progress; createdAt: number } | null {
    const row = this.sql.exec<{ fingerprint: string; progress: string; created_at: number }>("SELECT * FROM checkout").toArray()[0];
    return row ? { fingerprint: row.fingerprint, progress: JSON.parse(row.progress) as Progress, createdAt: row.created_at } : null;
  }

  private createdAt(): number {
    return this.sql.exec<{ created_at: number }>("SELECT created_at FROM checkout").one().created_at;
  }

  protected save(p: Progress): void {
    this.sql.exec("UPDATE checkout SET progress = ? WHERE id = 1", JSON.stringify(p));
  }

  /** Answers the checkout for this key: runs it, waits for the run in progress, or replays the answer. */
  async checkout(request: CheckoutRequest, fingerprint: string): Promise<Answer> {
    const log = this.logger(request.call.requestId);
    if (log.enabled("debug")) log.debug("object call", { method: "checkout", cartId: request.body.cartId });
    const saved = this.load();
    if (saved !== null && saved.fingerprint !== fingerprint) {
      return {
        status: 422,
        body: problem(422, "this Idempotency-Key was used with a different request; use a new key for a new checkout"),
      };
    }
    if (saved?.progress.settled && saved.progress.answer) return saved.progress.answer;
    if (this.inflight !== null) return this.inflight;

    let progress = saved?.progress;
    if (progress === undefined) {
      const orderToken = request.userId === null ? randomToken() : null;
      progress = {
        orderId: newOrderId(Math.min(orderShards(this.env).length, this.config.newOrderShards ?? Number.POSITIVE_INFINITY)),
        done: [],
        request: { ...withoutPayment(request.body), card: { last4: knownLast4(request.body.payment) } },
        userId: request.userId,
        checkoutId: this.ctx.id.toString(),
        orderToken,
        tokenHash: orderToken === null ? null : await sha256Hex(orderToken),
      };
      // Everything above was computed before this synchronous write, so two first requests cannot both get here.
      if (this.load() !== null) return this.checkout(request, fingerprint);
      this.sql.exec(
        "INSERT INTO checkout (id, fingerprint, progress, created_at) VALUES (1, ?, ?, ?)",
        fingerprint,
        JSON.stringify(progress),
        Date.now(),
      );
    }
    return this.start(progress, request);
  }

  /** Starts the run and marks it in flight at once (no await before), so a concurrent duplicate waits for it. */
  private start(progress: Progress, request: CheckoutRequest | null): Promise<Answer> {
    const run = (async () => {
      // The watchdog: if this run dies, the alarm finishes or undoes it.
      await this.ctx.storage.setAlarm(Date.now() + this.config.watchdogMs);
      const answer = await runCheckout(progress, this.ports(progress, request));
      // Settled: the next wake is the one that forgets the key (not the watchdog's, which would find nothing to do).
      if (progress.settled) await this.ctx.storage.setAlarm(this.createdAt() + this.config.keyLifetimeMs);
      return answer;
    })()
      .catch((err: unknown) => {
        // The shopper's request ends in an error (the alarm may still finish the checkout later).
        if (request !== null) this.countOutcome("failed", null);
        throw err;
      })
      .finally(() => {
        this.inflight = null;
      });
    this.inflight = run;
    return run;
  }

  /** The real services behind the flow's ports (a test subclass may wrap them to crash at a chosen point). */
  protected ports(progress: Progress, request: CheckoutRequest | null): Ports {
    const requestId = request?.call.requestId ?? `alarm:${progress.orderId}`;
    const log = this.logger(requestId);
    const call = request?.call ?? { requestId };
    // The order's id names its shard: this run writes there, and so did any earlier run of this checkout.
    const shard = shardD1(this.env, progress.orderId);
    if (shard === null) throw new Error(`order ${progress.orderId} names a shard that is not bound`);
    return {
      orders: orderBook(ordersDb(shard)),
      cart: cartPort(this.env.CART.getByName(progress.request.cartId), call),
      stock: stockPort(this.env.INVENTORY, call),
      payments: paymentsPort(this.env.PAYMENTS),
      log,
      config: this.config,
      call,
      save: (p) => this.save(p),
      publish: async (rows) => {
        try {
          // Only the rows this run wrote, without reading them back: the cron sends anything left.
          await publishOrderEvents(this.env, { rows }, shard);
        } catch (err) {
          log.warn("order events not sent yet; the alarm retries", errorFields(err));
        }
      },
      outcome: (outcome, total) => this.countOutcome(outcome, total),
      payment: request?.body.payment ?? null,
      cartAccess: request?.cartAccess ?? null,
    };
  }

  private countOutcome(outcome: CheckoutOutcome, total: { amount: number; currency: string } | null): void {
    const point = { kind: "checkout", service: "orders", outcome, currency: total?.currency ?? "", total: total?.amount ?? 0 } as const;
    recordMetric(this.env.METRICS, point, (p) => this.ctx.waitUntil(p));
  }

  /** The watchdog and the janitor: resumes an interrupted checkout, then forgets the key after its lifetime (a day). */
  override async alarm(): Promise<void> {
    const saved = this.load();
    if (saved === null) return;
    const { progress } = saved;
    if (!progress.settled) {
      if (this.inflight !== null) {
        await this.ctx.storage.setAlarm(Date.now() + this.config.watchdogMs);
        return;
      }
      if (progress.done.length === 0 && progress.compensating === undefined) {
        // Nothing happened yet: forget it, so a retry with the same key starts afresh.
        this.sql.exec("DELETE FROM checkout");
        return;
      }
      this.logger().warn("resuming an interrupted checkout", { orderId: progress.orderId, done: progress.done });
      // Settled, it sets the alarm that forgets the key; not settled, its watchdog alarm stays set.
      await this.start(progress, null);
      return;
    }
    if (Date.now() >= saved.createdAt + this.config.keyLifetimeMs) {
      await this.schema.deleteAll();
      return;
    }
    await this.ctx.storage.setAlarm(saved.createdAt + this.config.keyLifetimeMs);
  }

  /**
   * The buyer was erased: the saved request and answer lose their email and address (without-buyer.ts says
   * what stays). A run in progress saves as it goes, so it is let finish first. An object that has already
   * forgotten its key keeps nothing, not even the empty table this call's first use made.
   */
  async forgetBuyer(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    const saved = this.load();
    if (saved === null) {
      await this.schema.deleteAll();
      return;
    }
    this.save(progressWithoutBuyer(saved.progress));
  }

  /** Where a checkout stands (tests and support): the order id and the steps done, never the card. */
  status(): { orderId: string; done: string[]; settled: boolean; status: number | null } | null {
    const saved = this.load();
    if (saved === null) return null;
    const p = saved.progress;
    return { orderId: p.orderId, done: p.done, settled: p.settled === true, status: p.answer?.status ?? null };
  }
}

function withoutPayment(body: CheckoutBody): Omit<CheckoutBody, "payment"> {
  const { payment: _card, ...rest } = body;
  return rest;
}
