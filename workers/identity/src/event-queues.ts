import type { Producer } from "../../shared/src/outbox.ts";

/**
 * Where identity's events go: the queue of every Worker that keeps something of a person (a queue has one
 * consumer, so the outbox sends each event to all of them). Carts (durable-objects), fulfilment, orders,
 * notifications and the catalog's reviews; insights keeps only aggregates and is not among them.
 */
export const identityEventQueues = (env: IdentityEnv): Producer[] => [
  env.IDENTITY_EVENTS,
  env.ORDER_EVENTS,
  env.FULFILLMENT_EVENTS,
  env.NOTIFICATION_EVENTS,
  env.CATALOG_EVENTS,
];
