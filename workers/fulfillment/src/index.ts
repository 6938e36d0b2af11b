import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import { EVENT_TYPES, type ProducersFor, type ShipmentStatus } from "#schema/events.ts";
import { ReturnBody, type ReturnView, ShipBody, type ShipmentDetail } from "#schema/fulfillment/dto.ts";
import { scheduledBackup } from "#shared/backup/run.ts";
import { configFrom } from "#shared/config.ts";
import { BACKUP_CRON, EVERY_MINUTE, runCron } from "#shared/cron.ts";
import { consumeEvents, retryPolicy } from "#shared/event-consumer.ts";
import { d1Probe, type HealthReport, healthOnlyFetch, healthReport, outboxProbe, thresholdOf } from "#shared/health.ts";
import { createLogger, errorFields, parseLogLevel } from "#shared/logger.ts";
import { sampleOutbox } from "#shared/metrics/sample.ts";
import { d1Outbox, eventCopies, flushOutbox } from "#shared/outbox.ts";
import { parseInput } from "#shared/parse.ts";
import { problem, problemResponse } from "#shared/problem.ts";
import type { CallContext } from "#shared/request-id.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { traceRpc } from "#shared/rpc.ts";
import { type CarrierOutcome, carrierWebhook } from "./carrier-webhook.ts";
import { type FulfillmentDb, fulfillmentDb, type ReturnRow } from "./db.ts";
import { forgetBuyerHandlers } from "./forget-buyer.ts";
import { type InvoiceDocument, invoiceDocument, storeInvoices } from "./invoices.ts";
import { onOrderPaid } from "./on-order-paid.ts";
import { receiveReturn } from "./receive-return.ts";
import { findReturn, moveReturn, requestReturn, returnsOf, returnViews } from "./returns.ts";
import { moveShipment, shipmentDetails, shipmentsOf } from "./shipments.ts";

const ID = /^[a-z]{3}_[A-Za-z0-9_-]{1,60}$/;
const returnWindowDays: (env: object) => number = configFrom(
  z
    .object({ RETURN_WINDOW_DAYS: z.coerce.number().int().min(0, "RETURN_WINDOW_DAYS must be 0 or more") })
    .transform((v) => v.RETURN_WINDOW_DAYS),
);

type FulfillmentEvent = (typeof EVENT_TYPES)[
  | "shipmentCreated"
  | "shipmentPacked"
  | "shipmentShipped"
  | "shipmentDelivered"
  | "returnRequested"
  | "returnApproved"
  | "returnReceived"
  | "refundCompleted"];
/** Fulfilment's env must bind every queue its events are routed to (schema/events.ts EVENT_ROUTES). */
const eventQueues = (env: FulfillmentEnv): ProducersFor<FulfillmentEvent> => env;
const publishAll = (env: FulfillmentEnv) => flushOutbox(d1Outbox(env.DB), eventQueues(env), { copies: eventCopies(env) });

/** Sends what the outbox holds to the orders Worker and to notifications (a send that fails is left for the cron). */
async function publish(env: FulfillmentEnv): Promise<void> {
  try {
    await publishAll(env);
  } catch (err) {
    createLogger("fulfillment", parseLogLevel(env.LOG_LEVEL)).warn("events left in the outbox for the cron", errorFields(err));
  }
}

/**
 * The fulfillment Worker's RPC surface: the admin Worker ships, delivers, approves and receives (a merchant acts
 * on its own parts only: `merchantId`, or null for a platform admin); the storefront asks for returns, invoices
 * and passes on carrier webhooks.
 */
export class FulfillmentService extends WorkerEntrypoint<FulfillmentEnv> {
  /** Ships the merchant's part of an order: its shipment becomes `shipped` with carrier and tracking number. */
  shipOrderPart(merchantId: string | null, orderId: string, body: unknown, call: CallContext): Promise<Result<ShipmentDetail>> {
    return this.run("shipOrderPart", call, async () => {
      const input = parseInput(ShipBody, body);
      if (!input.ok) return input;
      if (!ID.test(orderId)) return fail(404, `no order ${orderId}`);
      const own = await shipmentsOf(this.db, { orderId, ...(merchantId === null ? {} : { merchantId }) });
      const shipment = own[0];
      if (shipment === undefined) return fail(404, `no shipment of order ${orderId} for you (is the order paid?)`);
      if (own.length > 1)
        return fail(400, "this order has several parts: ship each through POST /admin/v1/shipments/{id}/shipped", "orderId");
      return this.move(call, shipment.id, merchantId, "shipped", input.value);
    });
  }

  markShipment(merchantId: string | null, shipmentId: string, to: unknown, call: CallContext): Promise<Result<ShipmentDetail>> {
    return this.run("markShipment", call, async () => {
      if (to !== "packed" && to !== "delivered") return fail(400, "a shipment is marked packed or delivered");
      if (!ID.test(shipmentId)) return fail(404, `no shipment ${shipmentId}`);
      return this.move(call, shipmentId, merchantId, to);
    });
  }

  listShipments(
    merchantId: string | null,
    filter: { orderId?: string; status?: ShipmentStatus },
    call: CallContext,
  ): Promise<Result<{ items: ShipmentDetail[] }>> {
    return this.run("listShipments", call, async () => {
      const rows = await shipmentsOf(this.db, { ...filter, ...(merchantId === null ? {} : { merchantId }) });
      return ok({ items: await shipmentDetails(this.db, rows) });
    });
  }

  /** A buyer's return request (the storefront has checked the order is theirs). */
  requestReturn(orderId: string, body: unknown, call: CallContext): Promise<Result<ReturnView[]>> {
    return this.run("requestReturn", call, async () => {
      const input = parseInput(ReturnBody, body);
      if (!input.ok) return input;
      const made = await requestReturn(this.db, orderId, input.value, returnWindowDays(this.env), call.requestId);
      if (made.ok) await publish(this.env);
      return made;
    });
  }

  listReturns(merchantId: string | null, status: string | undefined, call: CallContext): Promise<Result<{ items: ReturnView[] }>> {
    return this.run("listReturns", call, async () => {
      const known = ["requested", "approved", "received", "refunded", "rejected"] as const;
      const wanted = known.find((s) => s === status);
      if (status !== undefined && wanted === undefined) return fail(400, `status is one of ${known.join(", ")}`, "status");
      return ok({ items: await returnViews(this.db, await returnsOf(this.db, merchantId, wanted)) });
    });
  }

  approveReturn(merchantId: string | null, returnId: string, call: CallContext): Promise<Result<ReturnView>> {
    return this.run("approveReturn", call, async () => {
      const row = ID.test(returnId) ? await findReturn(this.db, returnId, merchantId) : null;
      if (row === null) return fail(404, `no return ${returnId}`);
      return this.answerReturn(await moveReturn(this.db, row, "requested", "approved", undefined, call.requestId));
    });
  }

  receiveReturn(merchantId: string | null, returnId: string, call: CallContext): Promise<Result<ReturnView>> {
    return this.run("receiveReturn", call, async () => {
      if (!ID.test(returnId)) return fail(404, `no return ${returnId}`);
      const deps = { db: this.db, inventory: this.env.INVENTORY, payments: this.env.PAYMENTS, call };
      const result = await receiveReturn(deps, merchantId, returnId);
      await publish(this.env); // return.received may be waiting even when the refund failed
      return this.answerReturn(result);
    });
  }

  /** One merchant part's invoice (the caller has checked the order is the reader's). */
  invoice(orderId: string, part: string | undefined, call: CallContext): Promise<Result<InvoiceDocument>> {
    return this.run("invoice", call, () => invoiceDocument(this.db, this.env.DOCUMENTS, orderId, part));
  }

  carrierWebhook(rawBody: string, signature: string | undefined, call: CallContext): Promise<CarrierOutcome> {
    return this.run("carrierWebhook", call, async () => {
      const outcome = await carrierWebhook(this.db, this.env.CARRIER_WEBHOOK_SECRET, rawBody, signature, Date.now(), call.requestId);
      if (outcome.status === 200 && outcome.applied) await publish(this.env);
      return ok(outcome);
    }).then((r) => (r.ok ? r.value : { status: 400, detail: r.problem.detail ?? "bad webhook" }));
  }

  health(): Promise<HealthReport> {
    return report(this.env);
  }

  private get db(): FulfillmentDb {
    return fulfillmentDb(this.env.DB);
  }

  private async move(
    call: CallContext,
    shipmentId: string,
    merchantId: string | null,
    to: ShipmentStatus,
    tracking?: { carrier: string; trackingNumber: string },
  ): Promise<Result<ShipmentDetail>> {
    const moved = await moveShipment(this.db, shipmentId, merchantId, to, tracking, call.requestId);
    if (!moved.ok) return moved;
    if (moved.value.moved) await publish(this.env);
    const [detail] = await shipmentDetails(this.db, [moved.value.shipment]);
    return detail === undefined ? fail(404, `no shipment ${shipmentId}`) : ok(detail);
  }

  private async answerReturn(result: Result<ReturnRow>): Promise<Result<ReturnView>> {
    if (!result.ok) return result;
    await publish(this.env);
    const [view] = await returnViews(this.db, [result.value]);
    return view === undefined ? fail(404, "the return is gone") : ok(view);
  }

  private run<T>(method: string, call: CallContext, body: () => Promise<Result<T>>): Promise<Result<T>> {
    return traceRpc("fulfillment", this.env.LOG_LEVEL, call, method, body);
  }
}

const report = (env: FulfillmentEnv): Promise<HealthReport> =>
  healthReport("fulfillment", {
    d1: d1Probe(env.DB),
    outbox: outboxProbe(env.DB, thresholdOf(env.ALERT_OUTBOX_AGE_SECONDS)),
    documents: async () => {
      await env.DOCUMENTS.head("health-probe");
      return undefined;
    },
  });

export default {
  fetch: healthOnlyFetch(report, () => problemResponse(problem(404, "fulfilment is reached through the storefront and admin APIs"))),
  async queue(batch, env, ctx) {
    const log = createLogger("fulfillment", parseLogLevel(env.LOG_LEVEL), { queue: batch.queue });
    const db = fulfillmentDb(env.DB);
    const paid: string[] = [];
    await consumeEvents(batch, {
      consumer: "fulfillment",
      queue: "ORDER_EVENTS",
      dedupe: "processed-events",
      db: env.DB,
      deadLetters: env.DEAD_LETTERS,
      log,
      ...retryPolicy(env),
      handlers: {
        [EVENT_TYPES.orderPaid]: async (event) => {
          paid.push(event.data.orderId);
          return onOrderPaid(db, event);
        },
        ...forgetBuyerHandlers(db, env.DOCUMENTS),
      },
    });
    await publish(env);
    // Invoice documents go to R2 once their numbers are committed (and are written on first read otherwise).
    ctx.waitUntil(Promise.all(paid.map((orderId) => storeInvoices(db, env.DOCUMENTS, orderId).catch(() => undefined))));
  },
  async scheduled(controller, env, ctx) {
    await runCron(controller, {
      [EVERY_MINUTE]: async () => {
        await publishAll(env);
        // What is left after the resend is the backlog (operations metrics).
        await sampleOutbox(env.DB, env.METRICS, "fulfillment", (p) => ctx.waitUntil(p));
      },
      // The database and the invoice documents.
      [BACKUP_CRON]: () =>
        scheduledBackup(controller, env, { service: "fulfillment", database: "fulfillment", buckets: { documents: env.DOCUMENTS } }),
    });
  },
} satisfies ExportedHandler<FulfillmentEnv>;
