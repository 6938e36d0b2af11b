import type { CheckoutLine } from "#schema/cart.ts";
import type { Money } from "#schema/money.ts";
import type { CheckoutBody, OrderPartView, PaymentSummary, QuoteView } from "#schema/orders/dto.ts";
import type { PartRecord } from "../order-store.ts";
import { installmentPlans, type Part, type PricingResult, priceOrder, warrantyOffers } from "../pricing/index.ts";

// Between the cart's lines and the pure pricing module: the quote and the order are priced by the same call.

export type PricedCheckout = {
  subtotal: Money;
  shipping: Money;
  tax: Money;
  total: Money;
  parts: PartRecord[];
  installment?: NonNullable<PaymentSummary["installments"]>;
  pricedAt: string;
};

const asPricedLines = (lines: readonly CheckoutLine[]) =>
  lines.map(({ sku, productSlug, title, quantity, unitPrice, merchantId, department }) => ({
    sku,
    productSlug,
    title,
    quantity,
    unitPrice,
    merchantId,
    department,
  }));

const partRecord = (p: Part): PartRecord => ({
  merchantId: p.merchantId,
  subtotal: p.subtotal.amount,
  shipping: p.shipping.amount,
  shippingTax: p.shippingTax.amount,
  tax: p.tax.amount,
  total: p.total.amount,
  lines: p.lines.map((l) => ({
    kind: l.kind,
    sku: l.sku,
    productSlug: l.productSlug,
    title: l.title,
    quantity: l.quantity,
    unitPrice: l.unitPrice.amount,
    lineTotal: l.lineTotal.amount,
    tax: l.tax.amount,
    coversSku: l.coversSku,
    planId: l.planId,
    years: l.years,
  })),
});

const partView = (p: Part): OrderPartView => ({
  merchantId: p.merchantId,
  items: p.lines.map((l) => ({
    kind: l.kind,
    sku: l.sku,
    productSlug: l.productSlug,
    title: l.title,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    lineTotal: l.lineTotal,
    tax: l.tax,
    ...(l.coversSku !== undefined ? { coversSku: l.coversSku } : {}),
    ...(l.planId !== undefined ? { planId: l.planId } : {}),
    ...(l.years !== undefined ? { years: l.years } : {}),
  })),
  subtotal: p.subtotal,
  shipping: p.shipping,
  tax: p.tax,
  total: p.total,
});

/** The order's totals from today's prices, the destination and the shopper's choices; the client's totals are never read. */
export function priceCheckout(
  lines: readonly CheckoutLine[],
  request: Pick<CheckoutBody, "shippingAddress" | "warranties" | "installments">,
): PricingResult<PricedCheckout> {
  const priced = priceOrder(asPricedLines(lines), request.shippingAddress.country, request.warranties ?? []);
  if (!priced.ok) return priced;
  const order = priced.value;
  let installment: PricedCheckout["installment"];
  if (request.installments !== undefined) {
    const plan = installmentPlans(order.total).find((p) => p.months === request.installments?.months);
    if (plan === undefined) {
      return {
        ok: false,
        field: "installments.months",
        message: `no ${request.installments.months}-month plan is offered for this order total`,
      };
    }
    installment = { months: plan.months, apr: plan.apr, monthly: plan.monthly, total: plan.total };
  }
  return {
    ok: true,
    value: {
      subtotal: order.subtotal,
      shipping: order.shipping,
      tax: order.tax,
      total: order.total,
      parts: order.parts.map(partRecord),
      ...(installment ? { installment } : {}),
      pricedAt: new Date().toISOString(),
    },
  };
}

/** What checkout would charge for this cart today, with the plans and warranties on offer. */
export function quoteFor(lines: readonly CheckoutLine[], cartId: string, country: string): PricingResult<QuoteView> {
  const priced = priceOrder(asPricedLines(lines), country, []);
  // The quote names the query parameter; pricing names the checkout body's field.
  if (!priced.ok) return { ...priced, field: priced.field === "shippingAddress.country" ? "country" : priced.field };
  const order = priced.value;
  return {
    ok: true,
    value: {
      cartId,
      country,
      subtotal: order.subtotal,
      shipping: order.shipping,
      tax: order.tax,
      total: order.total,
      parts: order.parts.map(partView),
      installments: installmentPlans(order.total).map(({ months, apr, monthly, total, schedule }) => ({
        months,
        apr,
        monthly,
        total,
        schedule,
      })),
      warranties: warrantyOffers(asPricedLines(lines)),
    },
  };
}
