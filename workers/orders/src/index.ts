import { WorkerEntrypoint } from "cloudflare:workers";
import { and, eq, isNull } from "drizzle-orm";
import type { CartAccess, CartCall } from "#schema/cart.ts";
import {
  CartIdParam,
  CheckoutBody,
  IDEMPOTENCY_KEY,
  type MerchantOrder,
  MerchantOrderQuery,
  type OrderView,
  type PlacedOrder,
  type QuoteView,
  type Shopper,
} from "#schema/orders/dto.ts";
import type { PaymentMethodInput } from "#schema/payments.ts";
import type { Problem } from "#schema/problem.ts";
import { scheduledBackup } from "#shared/backup/run.ts";
import { BACKUP_CRON, EVERY_MINUTE, runCron } from "#shared/cron.ts";
import { sha256Hex, timingSafeEqualText } from "#shared/crypto.ts";
import { consumeEvents, retryPolicy } from "#shared/event-consumer.ts";
import { d1Probe, type HealthReport, healthOnlyFetch, healthReport, outboxProbe, thresholdOf } from "#shared/health.ts";
import { createLogger, errorFields, parseLogLevel } from "#shared/logger.ts";
import { sampleOutbox } from "#shared/metrics/sample.ts";
import { parseInput } from "#shared/parse.ts";
import { problem, problemResponse } from "#shared/problem.ts";
import type { CallContext } from "#shared/request-id.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { traceRpc } from "#shared/rpc.ts";
import { orders } from "../db/tables.ts";
import type { Answer } from "./checkout/flow.ts";
import { quoteFor } from "./checkout/pricing-bridge.ts";
import type { OrdersDb } from "./db.ts";
import { fulfillmentHandlers } from "./follow-fulfillment.ts";
import { forgetBuyerHandlers } from "./forget-buyer.ts";
import { deliveredOrderWith, merchantOrders, merchantView } from "./merchant-orders.ts";
import { publishOrderEvents } from "./order-events.ts";
import { listOrders, loadOrder } from "./order-store.ts";
import { allOrderDbs, orderDb, orderShards, shardD1 } from "./shards.ts";

export { Checkout } from "./checkout/checkout-object.ts";

/** How a reader proves an order is theirs: signed in as its buyer, or the guest's order token. */
export type OrderAccess = { userId?: string | undefined; orderToken?: string | undefined };

export type CheckoutAnswer = { status: number; body: PlacedOrder | Problem; retryAfter?: number };

/**
 * The orders Worker's RPC surface (bound as ORDERS by the storefront). It owns the `orders` database and the
 * Checkout objects; stock moves only through the Inventory objects and money only through payments.
 */
export class OrdersService extends WorkerEntrypoint<OrdersEnv> {
  /** What checkout would charge for the cart today (prices from the catalog, totals computed here). */
  quote(cartId: unknown, country: unknown, who: Shopper, call: CallContext): Promise<Result<QuoteView>> {
    return this.run("quote", call, async () => {
      const id = parseInput(CartIdParam, cartId, "query");
      if (!id.ok) return fail(400, "cartId is not a cart id", "cartId");
      const destination = typeof country === "string" && country !== "" ? country.toUpperCase() : this.env.DEFAULT_COUNTRY;
      const cart = await this.env.CART.getByName(id.value).checkoutLines(access(who), 0, cartCall(who, call));
      if (!cart.ok) return cart;
      if (cart.value.lines.length === 0 && cart.value.refusals.length === 0) return fail(400, "the cart is empty", "cartId");
      const quote = quoteFor(cart.value.lines, id.value, destination);
      return quote.ok ? ok(quote.value) : fail(400, quote.message, quote.field);
    });
  }

  /**
   * Places an order exactly once per (caller, Idempotency-Key): every request with the key meets in one
   * Checkout object, which runs the flow once and answers everyone the same.
   */
  async checkout(body: unknown, idempotencyKey: unknown, who: Shopper, call: CallContext): Promise<CheckoutAnswer> {
    const result = await this.run("checkout", call, async (): Promise<Result<CheckoutAnswer>> => {
      if (typeof idempotencyKey !== "string" || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        return fail(400, "send an Idempotency-Key header of 1–255 visible ASCII characters (a fresh one per checkout)", "Idempotency-Key");
      }
      const parsed = parseInput(CheckoutBody, body);
      if (!parsed.ok) return parsed;
      const scope = who.userId !== null ? `user:${who.userId}` : `cart:${parsed.value.cartId}`;
      const { payment, ...rest } = parsed.value;
      // The same key with another body is refused; a card counts by what may be kept of it. A guest's cart
      // token counts too, so knowing a cart id and a key without the token replays nothing (no order, no token).
      const fingerprint = await sha256Hex(
        JSON.stringify({
          scope,
          credential: who.userId ?? (await sha256Hex(who.cartToken ?? "")),
          rest,
          payment: paymentFingerprint(payment),
        }),
      );
      const object = this.env.CHECKOUT.getByName(`${scope}|${idempotencyKey}`);
      try {
        const answer: Answer = await object.checkout(
          { body: parsed.value, userId: who.userId, cartAccess: access(who), call: cartCall(who, call) },
          fingerprint,
        );
        return ok(answer);
      } catch (err) {
        // The run was interrupted (a crash, a service that did not answer): its object finishes or undoes it
        // by itself; the same key answers once it has.
        createLogger("orders", parseLogLevel(this.env.LOG_LEVEL), { requestId: call.requestId }).warn(
          "checkout interrupted",
          errorFields(err),
        );
        return ok({
          status: 503,
          body: problem(
            503,
            "checkout was interrupted; it finishes or is undone by itself. Retry with the same Idempotency-Key for the answer",
          ),
          retryAfter: 2,
        });
      }
    });
    return result.ok ? result.value : { status: result.problem.status, body: result.problem };
  }

  listOrders(userId: string, call: CallContext): Promise<Result<{ items: OrderView[] }>> {
    return this.run("listOrders", call, async () => ok({ items: await listOrders(allOrderDbs(this.env), userId, 50) }));
  }

  /** One order, for its buyer or the holder of its order token; anyone else is told it does not exist. */
  getOrder(orderId: string, reader: OrderAccess, call: CallContext): Promise<Result<OrderView>> {
    return this.run("getOrder", call, async () => {
      const missing = fail<OrderView>(404, `no order ${orderId}`);
      const db = this.dbOf(orderId);
      if (db === null) return missing;
      const stored = await loadOrder(db, orderId);
      if (stored === null) return missing;
      if (stored.userId !== null && reader.userId === stored.userId) return ok(stored.view);
      if (stored.tokenHash !== null && typeof reader.orderToken === "string" && reader.orderToken.length <= 128) {
        if (timingSafeEqualText(await sha256Hex(reader.orderToken), stored.tokenHash)) return ok(stored.view);
      }
      return missing;
    });
  }

  /**
   * Moves a guest order into an account: the order token proves the caller placed it, and stops working once it
   * has (the account reads the order from then on; a token copied from a shared computer is worth nothing). An
   * order already in this account answers as it is; one in another account, or a wrong token, is a 404 like a
   * missing order. Two accounts claiming at once: the guarded update lets one win, the other gets the 404.
   */
  claimOrder(orderId: string, orderToken: string, userId: string, call: CallContext): Promise<Result<OrderView>> {
    return this.run("claimOrder", call, async () => {
      const missing = fail<OrderView>(404, `no order ${orderId}`);
      const db = this.dbOf(orderId);
      if (db === null || typeof orderToken !== "string" || orderToken.length > 128) return missing;
      const stored = await loadOrder(db, orderId);
      if (stored === null) return missing;
      if (stored.userId === userId) return ok(stored.view);
      if (stored.userId !== null || stored.tokenHash === null || !timingSafeEqualText(await sha256Hex(orderToken), stored.tokenHash))
        return missing;
      const claimed = await db
        .update(orders)
        .set({ userId, tokenHash: null, updatedAt: Date.now() })
        .where(and(eq(orders.id, orderId), isNull(orders.userId), eq(orders.tokenHash, stored.tokenHash)));
      return claimed.meta.changes === 1 ? ok(stored.view) : missing;
    });
  }

  /** A delivered order of this buyer with the product (a verified purchase), or null. */
  deliveredOrderWith(userId: string, productSlug: string, call: CallContext): Promise<Result<string | null>> {
    return this.run("deliveredOrderWith", call, async () =>
      ok(await deliveredOrderWith(allOrderDbs(this.env), String(userId), String(productSlug))),
    );
  }

  /** A merchant's orders (its part of each); `merchantId` null is a platform admin, who sees every order whole. */
  merchantOrders(merchantId: string | null, query: unknown, call: CallContext): Promise<Result<{ items: MerchantOrder[] }>> {
    return this.run("merchantOrders", call, async () => {
      const parsed = parseInput(MerchantOrderQuery, query, "query");
      if (!parsed.ok) return parsed;
      return ok({ items: await merchantOrders(allOrderDbs(this.env), merchantId, parsed.value) });
    });
  }

  /** One order as its merchant sees it; an order without a part of theirs is a 404, like a missing one. */
  merchantOrder(merchantId: string | null, orderId: string, call: CallContext): Promise<Result<MerchantOrder>> {
    return this.run("merchantOrder", call, async () => {
      const missing = fail<MerchantOrder>(404, `no order ${orderId}`);
      const db = this.dbOf(orderId);
      const stored = db === null ? null : await loadOrder(db, orderId);
      const view = stored === null ? null : merchantView(stored.view, merchantId);
      return view === null ? missing : ok(view);
    });
  }

  /** The database of the order an id names (null: not an order id, or one that names no shard). */
  private dbOf(orderId: unknown): OrdersDb | null {
    return typeof orderId === "string" && /^ord_[A-Za-z0-9_-]{1,40}$/.test(orderId) ? orderDb(this.env, orderId) : null;
  }

  health(): Promise<HealthReport> {
    return report(this.env);
  }

  private run<T>(method: string, call: CallContext, body: () => Promise<Result<T>>): Promise<Result<T>> {
    return traceRpc("orders", this.env.LOG_LEVEL, call, method, body);
  }
}

/** What of the payment tells two checkout bodies apart: a card by what we may keep of it, a token by itself. */
const paymentFingerprint = (payment: PaymentMethodInput) =>
  payment.method === "card"
    ? { last4: payment.card.number.slice(-4), expMonth: payment.card.expMonth, expYear: payment.card.expYear }
    : payment;

const access = (who: Shopper): CartAccess => (who.userId !== null ? { userId: who.userId } : { token: who.cartToken });
const cartCall = (who: Shopper, call: CallContext): CartCall => ({ requestId: call.requestId, shopper: who.shopper });

const report = (env: OrdersEnv): Promise<HealthReport> =>
  healthReport("orders", {
    d1: d1Probe(orderShards(env)),
    outbox: outboxProbe(orderShards(env), thresholdOf(env.ALERT_OUTBOX_AGE_SECONDS)),
  });

export default {
  fetch: healthOnlyFetch(report, () => problemResponse(problem(404, "orders are reached through the storefront"))),
  // The order follows its shipments and returns (fulfilment's events); an erased buyer leaves their orders.
  async queue(batch, env) {
    const log = createLogger("orders", parseLogLevel(env.LOG_LEVEL), { queue: batch.queue });
    await consumeEvents(batch, {
      consumer: "orders",
      queue: "FULFILLMENT_EVENTS",
      dedupe: "processed-events",
      // An order's events are marked in its own shard; an erased account's (which spans shards) in shard 0.
      db: env.DB,
      dbFor: (event) => ("orderId" in event.data ? shardD1(env, event.data.orderId) : null) ?? env.DB,
      handlers: { ...fulfillmentHandlers(env), ...forgetBuyerHandlers(env) },
      deadLetters: env.DEAD_LETTERS,
      log,
      ...retryPolicy(env),
    });
  },
  async scheduled(controller, env, ctx) {
    await runCron(controller, {
      // The outbox's backstop: events a failed send left behind go out on the next tick.
      [EVERY_MINUTE]: async () => {
        await publishOrderEvents(env);
        // What is left after the resend is the backlog (operations metrics).
        await sampleOutbox(orderShards(env), env.METRICS, "orders", (p) => ctx.waitUntil(p));
      },
      [BACKUP_CRON]: () => scheduledBackup(controller, env, { service: "orders", database: "orders" }),
    });
  },
} satisfies ExportedHandler<OrdersEnv>;
