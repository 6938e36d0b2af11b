import { EVENT_TYPES, type EventEnvelope, envelope } from "#schema/events.ts";

type Line = { slug: string; quantity: number; price: number; kind?: "product" | "warranty"; title?: string };

/** An order.paid event on `day`: one part per merchant, its lines at `price` each. */
export function paidOrder(day: string, parts: Record<string, Line[]>, currency = "USD"): EventEnvelope<typeof EVENT_TYPES.orderPaid> {
  const event = envelope(EVENT_TYPES.orderPaid, {
    orderId: `ord_${crypto.randomUUID()}`,
    userId: null,
    email: "buyer@example.com",
    currency,
    subtotal: 0,
    shipping: 0,
    tax: 0,
    total: 0,
    paymentId: "pay_1",
    card: null,
    parts: Object.entries(parts).map(([merchantId, lines]) => ({
      merchantId,
      subtotal: 0,
      shipping: 0,
      tax: 0,
      total: 0,
      lines: lines.map((l) => ({
        kind: l.kind ?? "product",
        sku: `${l.slug}-sku`,
        productSlug: l.slug,
        ...(l.title === undefined ? {} : { title: l.title }),
        quantity: l.quantity,
        unitPrice: l.price,
        lineTotal: l.price * l.quantity,
        tax: 0,
      })),
    })),
  });
  return { ...event, occurredAt: `${day}T12:00:00.000Z` };
}

/** A cart.created event on `day`. */
export const cartCreated = (day: string): EventEnvelope<typeof EVENT_TYPES.cartCreated> => ({
  ...envelope(EVENT_TYPES.cartCreated, { cartId: `cart_${crypto.randomUUID()}` }),
  occurredAt: `${day}T08:00:00.000Z`,
});

/** A unique name for this test's products or merchants, so tests sharing the database do not see each other. */
export const unique = (what: string): string => `${what}-${crypto.randomUUID().slice(0, 8)}`;
