import { z } from "zod";

// Every event on a Queue has this envelope; consumers dedupe by `id` and check `type` + `version`.
export const EVENT_TYPES = {
  inventoryChanged: "inventory.changed",
  userErased: "identity.user_erased",
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

const payloads = {
  [EVENT_TYPES.inventoryChanged]: InventoryChanged,
  [EVENT_TYPES.userErased]: UserErased,
} as const;
export type EventType = keyof typeof payloads;
export type EventData<T extends EventType> = z.infer<(typeof payloads)[T]>;

export const EventEnvelope = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  version: z.literal(1),
  occurredAt: z.iso.datetime(),
  traceId: z.string().optional(),
  data: z.unknown(),
});
export type EventEnvelope<T extends EventType = EventType> = Omit<z.infer<typeof EventEnvelope>, "type" | "data"> & {
  type: T;
  data: EventData<T>;
};

export function envelope<T extends EventType>(type: T, data: EventData<T>, traceId?: string): EventEnvelope<T> {
  return { id: crypto.randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), ...(traceId ? { traceId } : {}), data };
}

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

type Producer = { send(body: unknown, options?: { contentType?: "json" }): Promise<unknown> };

export function emitEvent<T extends EventType>(queue: Producer, type: T, data: EventData<T>, traceId?: string): Promise<unknown> {
  return queue.send(envelope(type, data, traceId), { contentType: "json" });
}
