import type { EVENT_TYPES, ProducersFor } from "#schema/events.ts";
import { d1Outbox, eventCopies, type FlushOptions, flushOutbox } from "#shared/outbox.ts";
import { orderShards } from "./shards.ts";

type OrderEvent = (typeof EVENT_TYPES)["orderPlaced" | "orderPaid" | "orderPaymentFailed" | "orderCancelled"];
/** The orders Worker's env must bind every queue its events are routed to (schema/events.ts EVENT_ROUTES). */
const orderEventQueues = (env: OrdersEnv): ProducersFor<OrderEvent> => env;

/**
 * Sends what one shard's outbox holds (each event EVENT_COPIES times: tests set more than 1 to see consumers
 * dedupe); every shard's, one after the other, when `shard` is absent (the cron).
 */
export async function publishOrderEvents(env: OrdersEnv, options: FlushOptions = {}, shard?: D1Database): Promise<number> {
  let sent = 0;
  for (const d1 of shard === undefined ? orderShards(env) : [shard]) {
    sent += await flushOutbox(d1Outbox(d1), orderEventQueues(env), { copies: eventCopies(env), ...options });
  }
  return sent;
}
