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

/** Parses a message body into a known event, or says why it is not one (for the dead-letter queue). */
export function parseEvent(body: unknown): { ok: true; event: EventEnvelope } | { ok: false; reason: string } {
  const outer = EventEnvelope.safeParse(body);
  if (!outer.success) return { ok: false, reason: `not an event envelope: ${outer.error.issues[0]?.message ?? "invalid"}` };
  const schema = payloads[outer.data.type as EventType];
  if (schema === undefined) return { ok: false, reason: `unknown event type ${outer.data.type}` };
  const data = schema.safeParse(outer.data.data);
  if (!data.success) return { ok: false, reason: `bad ${outer.data.type} data: ${data.error.issues[0]?.message ?? "invalid"}` };
  return { ok: true, event: { ...outer.data, type: outer.data.type as EventType, data: data.data } };
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

export function emitEvent<T extends EventType>(queue: Producer, type: T, data: EventData<T>, requestId?: string): Promise<unknown> {
  return queue.send(envelope(type, data, requestId), { contentType: "json" });
}
