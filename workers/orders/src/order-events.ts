import type { EVENT_TYPES, ProducersFor } from "#schema/events.ts";
import { d1Outbox, eventCopies, type FlushOptions, flushOutbox } from "#shared/outbox.ts";

type OrderEvent = (typeof EVENT_TYPES)["orderPlaced" | "orderPaid" | "orderPaymentFailed" | "orderCancelled"];
/** The orders Worker's env must bind every queue its events are routed to (schema/events.ts EVENT_ROUTES). */
const orderEventQueues = (env: OrdersEnv): ProducersFor<OrderEvent> => env;

/** Sends what the outbox holds (each event EVENT_COPIES times: tests set more than 1 to see consumers dedupe). */
export const publishOrderEvents = (env: OrdersEnv, options: FlushOptions = {}): Promise<number> =>
  flushOutbox(d1Outbox(env.DB), orderEventQueues(env), { copies: eventCopies(env), ...options });
