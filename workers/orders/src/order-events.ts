import { eventCopies, type FlushOptions, flushOutbox, type Producer } from "../../shared/src/outbox.ts";

/** Where the orders Worker's events go: fulfilment (shipments, invoices) and notifications (receipts). */
export const orderEventQueues = (env: OrdersEnv): Producer[] => [env.ORDER_EVENTS, env.NOTIFICATION_EVENTS, env.INSIGHTS_EVENTS];

/** Sends what the outbox holds (each event EVENT_COPIES times: tests set more than 1 to see consumers dedupe). */
export const publishOrderEvents = (env: OrdersEnv, options: FlushOptions = {}): Promise<number> =>
  flushOutbox(env.DB, orderEventQueues(env), { copies: eventCopies(env), ...options });
