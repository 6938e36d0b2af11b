import { z } from "zod";
import { RequestId } from "./request-id.ts";

// Every event on a Queue has this envelope; consumers dedupe by `id` and check `type` + `version`.
export const EVENT_TYPES = {
  inventoryChanged: "inventory.changed",
  userErased: "identity.user_erased",
  orderPlaced: "order.placed",
  orderPaid: "order.paid",
  orderPaymentFailed: "order.payment_failed",
  orderCancelled: "order.cancelled",
  shipmentCreated: "shipment.created",
  shipmentPacked: "shipment.packed",
  shipmentShipped: "shipment.shipped",
  shipmentDelivered: "shipment.delivered",
  returnRequested: "return.requested",
  returnApproved: "return.approved",
  returnReceived: "return.received",
  refundCompleted: "refund.completed",
  cartCreated: "cart.created",
} as const;

export const InventoryChanged = z.object({
  sku: z.string().min(1),
  onHand: z.number().int(),
  available: z.number().int().min(0),
  // Increases with every change to the SKU: a consumer keeps the highest it has seen, so late or repeated
  // deliveries never move a snapshot backwards.
  seq: z.number().int().min(1),
});
export type InventoryChanged = z.infer<typeof InventoryChanged>;

// A user asked to be forgotten: every service that keeps personal data about `userId` erases or
// anonymises it (orders keep their totals, not the person).
export const UserErased = z.object({ userId: z.string().min(1) });
export type UserErased = z.infer<typeof UserErased>;

// What fulfilment, notifications and insights need of an order, without asking the orders Worker again.
const MinorUnits = z.number().int();
export const OrderSummary = z.object({
  orderId: z.string().min(1),
  userId: z.string().nullable(),
  email: z.string(),
  currency: z.string().length(3),
  subtotal: MinorUnits,
  shipping: MinorUnits,
  tax: MinorUnits,
  total: MinorUnits,
  parts: z.array(
    z.object({
      merchantId: z.string(),
      subtotal: MinorUnits,
      shipping: MinorUnits,
      tax: MinorUnits,
      total: MinorUnits,
      lines: z.array(
        z.object({
          kind: z.enum(["product", "warranty"]),
          sku: z.string(),
          productSlug: z.string(),
          // Optional: events written before titles travelled with them have none.
          title: z.string().optional(),
          quantity: z.number().int().min(1),
          unitPrice: MinorUnits,
          lineTotal: MinorUnits,
          tax: MinorUnits,
        }),
      ),
    }),
  ),
});
export type OrderSummary = z.infer<typeof OrderSummary>;
export const OrderPaid = OrderSummary.extend({
  paymentId: z.string(),
  card: z.object({ brand: z.string(), last4: z.string() }).nullable(),
});
export const OrderEnded = z.object({ orderId: z.string().min(1), reason: z.string() });

export const SHIPMENT_STATUSES = ["pending", "packed", "shipped", "delivered"] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

const ItemCount = z.object({ sku: z.string(), quantity: z.number().int().min(1) });

// A merchant part's shipment moved (`status` says where to); `email` lets notifications write without asking.
export const ShipmentChanged = z.object({
  shipmentId: z.string().min(1),
  orderId: z.string().min(1),
  merchantId: z.string(),
  email: z.string(),
  status: z.enum(SHIPMENT_STATUSES),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  items: z.array(ItemCount),
});
export type ShipmentChanged = z.infer<typeof ShipmentChanged>;

export const RETURN_STATUSES = ["requested", "approved", "received", "refunded", "rejected"] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

// A return (RMA) of some delivered lines of one merchant part.
export const ReturnChanged = z.object({
  returnId: z.string().min(1),
  orderId: z.string().min(1),
  merchantId: z.string(),
  email: z.string(),
  status: z.enum(RETURN_STATUSES),
  items: z.array(ItemCount),
});
export type ReturnChanged = z.infer<typeof ReturnChanged>;

// Money went back to the buyer for a return: exactly the returned lines' share (their tax included).
export const RefundCompleted = ReturnChanged.extend({
  refundId: z.string(),
  amount: MinorUnits,
  currency: z.string().length(3),
});
export type RefundCompleted = z.infer<typeof RefundCompleted>;

// A cart was opened (the conversion report counts them against paid orders).
export const CartCreated = z.object({ cartId: z.string().min(1) });

const payloads = {
  [EVENT_TYPES.inventoryChanged]: InventoryChanged,
  [EVENT_TYPES.userErased]: UserErased,
  [EVENT_TYPES.orderPlaced]: OrderSummary,
  [EVENT_TYPES.orderPaid]: OrderPaid,
  [EVENT_TYPES.orderPaymentFailed]: OrderEnded,
  [EVENT_TYPES.orderCancelled]: OrderEnded,
  [EVENT_TYPES.shipmentCreated]: ShipmentChanged,
  [EVENT_TYPES.shipmentPacked]: ShipmentChanged,
  [EVENT_TYPES.shipmentShipped]: ShipmentChanged,
  [EVENT_TYPES.shipmentDelivered]: ShipmentChanged,
  [EVENT_TYPES.returnRequested]: ReturnChanged,
  [EVENT_TYPES.returnApproved]: ReturnChanged,
  [EVENT_TYPES.returnReceived]: ReturnChanged,
  [EVENT_TYPES.refundCompleted]: RefundCompleted,
  [EVENT_TYPES.cartCreated]: CartCreated,
} as const;
export type EventType = keyof typeof payloads;
export type EventData<T extends EventType> = z.infer<(typeof payloads)[T]>;
const isEventType = (type: string): type is EventType => Object.hasOwn(payloads, type);

/** Every event queue, by the binding name producers give it (the same in every Worker's wrangler.toml). */
export const EVENT_QUEUES = {
  ORDER_EVENTS: "order-events",
  FULFILLMENT_EVENTS: "fulfillment-events",
  NOTIFICATION_EVENTS: "notification-events",
  INSIGHTS_EVENTS: "insights-events",
  INVENTORY_EVENTS: "inventory-events",
  IDENTITY_EVENTS: "identity-events",
  CATALOG_EVENTS: "catalog-events",
} as const;
export type EventQueue = keyof typeof EVENT_QUEUES;

/**
 * Which queues get each event: the queues whose consumer handles it (a queue has one consumer). Declared here
 * once, so producers do not each keep a list; a consumer's handlers are typed by its queue (`EventHandlers<Q>`),
 * so handling an event that is not routed to it, or leaving one that is unhandled, fails to compile. An event
 * nobody consumes yet goes nowhere: its outbox row is deleted unsent (routing it is then one line here).
 */
export const EVENT_ROUTES = {
  [EVENT_TYPES.inventoryChanged]: ["INVENTORY_EVENTS"],
  // Every Worker that keeps something of a person; insights keeps only aggregates and is not among them.
  [EVENT_TYPES.userErased]: ["IDENTITY_EVENTS", "ORDER_EVENTS", "FULFILLMENT_EVENTS", "NOTIFICATION_EVENTS", "CATALOG_EVENTS"],
  [EVENT_TYPES.orderPlaced]: [],
  [EVENT_TYPES.orderPaid]: ["ORDER_EVENTS", "NOTIFICATION_EVENTS", "INSIGHTS_EVENTS"],
  [EVENT_TYPES.orderPaymentFailed]: [],
  [EVENT_TYPES.orderCancelled]: [],
  [EVENT_TYPES.shipmentCreated]: ["FULFILLMENT_EVENTS"],
  [EVENT_TYPES.shipmentPacked]: ["FULFILLMENT_EVENTS"],
  [EVENT_TYPES.shipmentShipped]: ["FULFILLMENT_EVENTS", "NOTIFICATION_EVENTS"],
  [EVENT_TYPES.shipmentDelivered]: ["FULFILLMENT_EVENTS", "NOTIFICATION_EVENTS"],
  [EVENT_TYPES.returnRequested]: ["FULFILLMENT_EVENTS"],
  [EVENT_TYPES.returnApproved]: [],
  [EVENT_TYPES.returnReceived]: ["FULFILLMENT_EVENTS"],
  [EVENT_TYPES.refundCompleted]: ["FULFILLMENT_EVENTS", "NOTIFICATION_EVENTS"],
  [EVENT_TYPES.cartCreated]: ["INSIGHTS_EVENTS"],
} as const satisfies Record<EventType, readonly EventQueue[]>;

/** The queues an event of type `T` goes to. */
export type RoutesOf<T extends EventType> = (typeof EVENT_ROUTES)[T][number];
/** The event types a queue carries. */
export type EventsTo<Q extends EventQueue> = { [T in EventType]: Q extends RoutesOf<T> ? T : never }[EventType];
/** The queue producers a Worker needs to send events of the types `T`. */
export type ProducersFor<T extends EventType> = { [Q in RoutesOf<T>]: Producer };

/** The queues for a type read off the wire; `undefined` for a type this release does not know. */
export const routesOf = (type: string): readonly EventQueue[] | undefined => (isEventType(type) ? EVENT_ROUTES[type] : undefined);

/** The queue an event type goes to first (where the admin sends back a dead letter that does not say). */
export const homeQueueOf = (type: string): string | undefined => {
  const first = routesOf(type)?.[0];
  return first === undefined ? undefined : EVENT_QUEUES[first];
};

// `requestId` is the request that caused the event (its consumers log under it, and the events they emit in turn
// carry it on). Events written before it had the name carry `traceId`, or nothing; an id that is not plain is dropped
// rather than the event (requestIdOf then names one after the event).
export const EventEnvelope = z
  .object({
    id: z.string().min(1),
    type: z.string().min(1),
    version: z.literal(1),
    occurredAt: z.iso.datetime(),
    requestId: RequestId.optional().catch(undefined),
    traceId: RequestId.optional().catch(undefined),
    data: z.unknown(),
  })
  .transform(({ traceId, requestId, ...event }): typeof event & { requestId?: string | undefined } => ({
    ...event,
    requestId: requestId ?? traceId,
  }));
export type EventEnvelope<T extends EventType = EventType> = Omit<z.output<typeof EventEnvelope>, "type" | "data"> & {
  type: T;
  data: EventData<T>;
};

/** `id` is random unless given: a producer that may write the same event twice (a retried step) names it. */
export function envelope<T extends EventType>(type: T, data: EventData<T>, requestId?: string, id?: string): EventEnvelope<T> {
  return {
    id: id ?? crypto.randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    ...(requestId ? { requestId } : {}),
    data,
  };
}

/** The request id to log an event's handling under: the one it carries, else one named after the event itself. */
export const requestIdOf = (event: Pick<EventEnvelope, "id" | "requestId">): string => event.requestId ?? `event:${event.id}`.slice(0, 128);

/** Any known event, as a union discriminated by `type` (so `event.data` narrows with `event.type`). */
export type AnyEvent = { [T in EventType]: EventEnvelope<T> }[EventType];

/** Parses a message body into a known event, its data checked by its type's schema, or says why it is not one. */
export function parseEvent(body: unknown): { ok: true; event: AnyEvent } | { ok: false; reason: string } {
  const outer = EventEnvelope.safeParse(body);
  if (!outer.success) return { ok: false, reason: `not an event envelope: ${outer.error.issues[0]?.message ?? "invalid"}` };
  const { type } = outer.data;
  if (!isEventType(type)) return { ok: false, reason: `unknown event type ${type}` };
  const data = payloads[type].safeParse(outer.data.data);
  if (!data.success) return { ok: false, reason: `bad ${type} data: ${data.error.issues[0]?.message ?? "invalid"}` };
  // The schema looked up by `type` parsed `data`, which TypeScript cannot follow through the lookup.
  return { ok: true, event: { ...outer.data, type, data: data.data } as AnyEvent };
}

/** A queue producer as Workers bind it (only `send` is used). */
export type Producer = { send(body: unknown, options?: { contentType?: "json" }): Promise<unknown> };

/**
 * What the `dead-letters` queue carries: an event a consumer gave up on, with why, and the queue it came
 * from (so a replay can send it back there). A queue's own dead-lettering (a consumer that crashed through
 * every retry) delivers the bare body instead; the dead-letter store records those as they come.
 */
export const DeadLetter = z.object({
  queue: z.string(),
  messageId: z.string(),
  reason: z.string(),
  attempts: z.number().int().min(0).optional(),
  consumer: z.string().optional(),
  body: z.unknown(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
