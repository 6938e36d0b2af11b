import { z } from "zod";
import { CART_ID } from "../cart.ts";
import { SHIPMENT_STATUSES } from "../events.ts";
import { Email } from "../identity/dto.ts";
import { Money } from "../money.ts";
import { PaymentMethodInput } from "../payments.ts";

// The shopper API's checkout and order shapes (docs/api.md), validated at the storefront and again in the orders Worker.

export const ORDER_STATUSES = [
  "pending_payment",
  "paid",
  "fulfilling",
  "shipped",
  "delivered",
  "payment_failed",
  "cancelled",
  "return_requested",
  "returned",
  "refunded",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const INSTALLMENT_MONTHS = [3, 6, 12] as const;

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} is at most ${max} characters`);

export const ShippingAddress = z
  .object({
    name: text("name", 200),
    line1: text("line1", 200),
    line2: z.string().trim().max(200, "line2 is at most 200 characters").optional(),
    city: text("city", 100),
    region: z.string().trim().max(100, "region is at most 100 characters").optional(),
    postalCode: text("postalCode", 20),
    country: z
      .string({ error: "country is required" })
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, "country must be an ISO 3166-1 alpha-2 code such as US or DE"),
  })
  .meta({ id: "ShippingAddress" });
export type ShippingAddress = z.infer<typeof ShippingAddress>;

export const CartIdParam = z.string().regex(CART_ID, "cartId is not a cart id");

export const WarrantyChoice = z.object({ sku: z.string().min(1).max(64), planId: z.string().min(1).max(64) });

export const CheckoutBody = z
  .object({
    cartId: CartIdParam,
    email: Email,
    shippingAddress: ShippingAddress,
    payment: PaymentMethodInput,
    installments: z
      .object({
        months: z.union(
          INSTALLMENT_MONTHS.map((m) => z.literal(m)),
          { error: `installments.months must be one of ${INSTALLMENT_MONTHS.join(", ")}` },
        ),
      })
      .optional(),
    warranties: z.array(WarrantyChoice).max(50, "at most 50 warranties").optional(),
  })
  .meta({ id: "CheckoutBody" });
export type CheckoutBody = z.infer<typeof CheckoutBody>;

/** Stripe's rule for idempotency keys: 1–255 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

export const InstallmentPlan = z
  .object({
    months: z.number().int(),
    apr: z.number().describe("Annual percentage rate, e.g. 9.99"),
    monthly: Money,
    total: Money.describe("What the plan costs in all: the order total plus interest"),
    schedule: z.array(Money).describe("Every monthly payment; they sum exactly to `total`"),
  })
  .meta({ id: "InstallmentPlan" });

export const WarrantyOffer = z
  .object({ sku: z.string(), planId: z.string(), years: z.number().int(), price: Money })
  .meta({ id: "WarrantyOffer" });

export const OrderLineView = z
  .object({
    kind: z.enum(["product", "warranty"]),
    sku: z.string(),
    productSlug: z.string(),
    title: z.string(),
    quantity: z.number().int(),
    unitPrice: Money,
    lineTotal: Money,
    tax: Money,
    coversSku: z.string().optional(),
    planId: z.string().optional(),
    years: z.number().int().optional(),
  })
  .meta({ id: "OrderLine" });
export type OrderLineView = z.infer<typeof OrderLineView>;

export const OrderPartView = z
  .object({ merchantId: z.string(), items: z.array(OrderLineView), subtotal: Money, shipping: Money, tax: Money, total: Money })
  .meta({ id: "OrderPart" });
export type OrderPartView = z.infer<typeof OrderPartView>;

export const Totals = z.object({ subtotal: Money, shipping: Money, tax: Money, total: Money }).meta({ id: "OrderTotals" });

export const QuoteView = z
  .object({
    cartId: z.string(),
    country: z.string(),
    ...Totals.shape,
    parts: z.array(OrderPartView),
    installments: z.array(InstallmentPlan),
    warranties: z.array(WarrantyOffer),
  })
  .meta({ id: "CheckoutQuote" });
export type QuoteView = z.infer<typeof QuoteView>;

export const PaymentSummary = z
  .object({
    brand: z.string().nullable(),
    last4: z.string().nullable(),
    installments: InstallmentPlan.omit({ schedule: true }).optional(),
  })
  .meta({ id: "PaymentSummary" });
export type PaymentSummary = z.infer<typeof PaymentSummary>;

export const ShipmentView = z
  .object({
    id: z.string(),
    merchantId: z.string(),
    status: z.enum(SHIPMENT_STATUSES),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
  })
  .meta({ id: "Shipment" });

export const OrderView = z
  .object({
    id: z.string(),
    status: z.enum(ORDER_STATUSES),
    email: z.string(),
    createdAt: z.iso.datetime(),
    items: z.array(OrderLineView),
    parts: z.array(OrderPartView),
    totals: Totals,
    payment: PaymentSummary,
    shippingAddress: ShippingAddress,
    shipments: z.array(ShipmentView),
  })
  .meta({ id: "Order" });
export type OrderView = z.infer<typeof OrderView>;

export const PlacedOrder = z
  .object({
    order: OrderView,
    orderToken: z.string().optional().describe("Guests: send as X-Order-Token to read the order (the receipt link carries it)"),
  })
  .meta({ id: "PlacedOrder" });
export type PlacedOrder = z.infer<typeof PlacedOrder>;

export const OrderList = z.object({ items: z.array(OrderView) }).meta({ id: "OrderList" });

/** An order as one merchant sees it: its own part's lines, totals and shipments (a platform admin sees all). */
export const MerchantOrder = z
  .object({
    id: z.string(),
    status: z.enum(ORDER_STATUSES),
    email: z.string(),
    createdAt: z.iso.datetime(),
    shippingAddress: ShippingAddress,
    lines: z.array(OrderLineView),
    totals: Totals,
    shipments: z.array(ShipmentView),
  })
  .meta({ id: "MerchantOrder" });
export type MerchantOrder = z.infer<typeof MerchantOrder>;
export const MerchantOrderList = z.object({ items: z.array(MerchantOrder) }).meta({ id: "MerchantOrderList" });

const day = (name: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${name} is a date: YYYY-MM-DD`)
    // Date.parse rolls 2026-02-30 over into March: a real day is one that comes back unchanged.
    .refine((d) => {
      const at = Date.parse(`${d}T00:00:00Z`);
      return !Number.isNaN(at) && new Date(at).toISOString().startsWith(d);
    }, `${name} is not a real date`);
export const MerchantOrderQuery = z.object({
  status: z.enum(ORDER_STATUSES, { error: `status is one of ${ORDER_STATUSES.join(", ")}` }).optional(),
  from: day("from").optional().describe("Orders placed on or after this day (UTC)"),
  to: day("to").optional().describe("Orders placed on or before this day (UTC)"),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export type MerchantOrderQuery = z.infer<typeof MerchantOrderQuery>;

/** Who is checking out (the storefront tells the orders Worker): the signed-in shopper, or a guest holding the cart's token. */
export type Shopper = { userId: string | null; cartToken?: string | undefined; shopper: string };
