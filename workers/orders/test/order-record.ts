import type { OrderRecord } from "../src/order-store.ts";

/** A paid-looking order of one merchant part and one line, for tests that write orders directly. */
export function order(id: string, who: { userId?: string; createdAt?: number; merchantId?: string } = {}): OrderRecord {
  return {
    id,
    userId: who.userId ?? "usr_1",
    tokenHash: null,
    email: "a@example.com",
    currency: "USD",
    subtotal: 1000,
    shipping: 500,
    tax: 0,
    total: 1500,
    shippingAddress: { name: "A", line1: "1 St", city: "X", postalCode: "1", country: "US" },
    payment: { brand: null, last4: "4242" },
    cartId: "crt_x",
    createdAt: who.createdAt ?? Date.now(),
    parts: [
      {
        merchantId: who.merchantId ?? "mer_a",
        subtotal: 1000,
        shipping: 500,
        shippingTax: 0,
        tax: 0,
        total: 1500,
        lines: [{ kind: "product", sku: "A-1", productSlug: "a", title: "A", quantity: 2, unitPrice: 500, lineTotal: 1000, tax: 0 }],
      },
    ],
  };
}
