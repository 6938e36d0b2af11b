import { z } from "zod";
import { Money } from "#schema/money.ts";
import { allocate, mulDivHalfUp } from "./money-math.ts";
import { type CountryRule, countryRule, SUPPORTED_COUNTRIES, WARRANTY_PLANS } from "./rules.ts";
import { eligiblePlans, warrantyUnitPrice } from "./warranties.ts";

/** One cart line as checkout sees it: the server's current price, and who sells it (its merchant part). */
export const PricedLine = z.object({
  sku: z.string().min(1),
  productSlug: z.string(),
  title: z.string(),
  quantity: z.number().int().positive(),
  unitPrice: Money.refine((m) => m.amount >= 0, "unit price cannot be negative"),
  merchantId: z.string().min(1),
  /** Root category slug, e.g. "electronics": decides warranty eligibility. */
  department: z.string(),
});
export type PricedLine = z.infer<typeof PricedLine>;

export type WarrantyChoice = { sku: string; planId: string };

export type OrderLine = {
  kind: "product" | "warranty";
  sku: string;
  productSlug: string;
  title: string;
  quantity: number;
  unitPrice: Money;
  /** Always unitPrice × quantity. */
  lineTotal: Money;
  /** This line's share of its part's tax: what a return of the whole line refunds. */
  tax: Money;
  /** Warranty lines only: the covered product line, the plan and its length. */
  coversSku?: string;
  planId?: string;
  years?: number;
};

/** What one merchant fulfils, invoices and reports on. total = subtotal + shipping + tax; tax = Σ line tax + shippingTax. */
export type Part = {
  merchantId: string;
  lines: OrderLine[];
  subtotal: Money;
  shipping: Money;
  shippingTax: Money;
  tax: Money;
  total: Money;
};

export type PricedOrder = {
  currency: string;
  country: string;
  taxRateBps: number;
  /** One per merchant, sorted by merchantId. */
  parts: Part[];
  subtotal: Money;
  shipping: Money;
  tax: Money;
  total: Money;
  /** The warranty lines of all parts (also present in their parts' `lines`), for the order summary. */
  warrantyLines: OrderLine[];
};

/** An expected failure names the request field at fault; the caller turns it into a 400 problem. */
export type PricingResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

const fail = (field: string, message: string): { ok: false; field: string; message: string } => ({ ok: false, field, message });

// Far above any real cart ($10 bn in cents) and far below 2^53, so no sum or tax product below can lose a cent.
const MAX_ORDER_AMOUNT = 1_000_000_000_000;

const money = (amount: number, currency: string): Money => ({ amount, currency });
const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);

/**
 * Prices a cart for delivery to `country` with the shopper's chosen warranties: per merchant part shipping, tax
 * and totals, and each line's exact share of its part's tax. Pure: the same input always gives the same order.
 */
export function priceOrder(
  lines: readonly PricedLine[],
  country: string,
  chosenWarranties: readonly WarrantyChoice[] = [],
): PricingResult<PricedOrder> {
  if (lines.length === 0) return fail("items", "the cart is empty");
  for (const [i, line] of lines.entries()) {
    const parsed = PricedLine.safeParse(line);
    if (!parsed.success) return fail("items", `line ${i} (${line.sku}): ${parsed.error.issues.map((x) => x.message).join("; ")}`);
  }
  const bySku = new Map<string, PricedLine>();
  for (const line of lines) {
    if (bySku.has(line.sku)) return fail("items", `SKU ${line.sku} appears on more than one line`);
    bySku.set(line.sku, line);
  }
  const currencies = [...new Set(lines.map((l) => l.unitPrice.currency))];
  const currency = currencies[0];
  if (currency === undefined || currencies.length > 1) return fail("items", `the cart mixes currencies (${currencies.join(", ")})`);

  const rule = countryRule(country);
  if (rule === undefined) {
    return fail("shippingAddress.country", `we do not ship to "${country}"; supported countries: ${SUPPORTED_COUNTRIES.join(", ")}`);
  }
  const fee = Object.hasOwn(rule.shipping, currency) ? rule.shipping[currency] : undefined;
  if (fee === undefined) return fail("shippingAddress.country", `shipping to ${country} is not offered for prices in ${currency}`);

  const warranties = new Map<string, OrderLine>();
  for (const [i, choice] of chosenWarranties.entries()) {
    const line = bySku.get(choice.sku);
    if (line === undefined) return fail("warranties", `warranties[${i}]: SKU ${choice.sku} is not in the cart`);
    if (warranties.has(choice.sku)) return fail("warranties", `warranties[${i}]: SKU ${choice.sku} already has a warranty`);
    if (!WARRANTY_PLANS.some((p) => p.planId === choice.planId)) {
      return fail("warranties", `warranties[${i}]: unknown warranty plan "${choice.planId}"`);
    }
    const plan = eligiblePlans(line).find((p) => p.planId === choice.planId);
    if (plan === undefined) return fail("warranties", `warranties[${i}]: plan ${choice.planId} cannot cover SKU ${choice.sku}`);
    const unitPrice = warrantyUnitPrice(line.unitPrice, plan);
    warranties.set(choice.sku, {
      kind: "warranty",
      sku: `warranty:${plan.planId}:${line.sku}`,
      productSlug: line.productSlug,
      title: `${plan.years}-year protection plan: ${line.title}`,
      quantity: line.quantity,
      unitPrice,
      lineTotal: money(unitPrice.amount * line.quantity, currency),
      tax: money(0, currency),
      coversSku: line.sku,
      planId: plan.planId,
      years: plan.years,
    });
  }

  const goods = sum(lines.map((l) => l.unitPrice.amount * l.quantity)) + sum([...warranties.values()].map((w) => w.lineTotal.amount));
  if (!(goods <= MAX_ORDER_AMOUNT)) return fail("items", "the order total is too large");

  const merchants = [...new Set(lines.map((l) => l.merchantId))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts = merchants.map((merchantId) =>
    pricePart(
      merchantId,
      lines.filter((l) => l.merchantId === merchantId),
      warranties,
      rule,
      fee,
      currency,
    ),
  );
  const total = (pick: (p: Part) => Money) => money(sum(parts.map((p) => pick(p).amount)), currency);
  return {
    ok: true,
    value: {
      currency,
      country,
      taxRateBps: rule.taxBps,
      parts,
      subtotal: total((p) => p.subtotal),
      shipping: total((p) => p.shipping),
      tax: total((p) => p.tax),
      total: total((p) => p.total),
      warrantyLines: parts.flatMap((p) => p.lines.filter((l) => l.kind === "warranty")),
    },
  };
}

function pricePart(
  merchantId: string,
  products: readonly PricedLine[],
  warranties: ReadonlyMap<string, OrderLine>,
  rule: CountryRule,
  fee: { flat: number; freeFrom: number | null },
  currency: string,
): Part {
  // Each warranty follows the line it covers, as it will read on the invoice.
  const lines: OrderLine[] = products.flatMap((p) => {
    const product: OrderLine = {
      kind: "product",
      sku: p.sku,
      productSlug: p.productSlug,
      title: p.title,
      quantity: p.quantity,
      unitPrice: p.unitPrice,
      lineTotal: money(p.unitPrice.amount * p.quantity, currency),
      tax: money(0, currency),
    };
    const warranty = warranties.get(p.sku);
    return warranty === undefined ? [product] : [product, warranty];
  });
  const subtotal = sum(lines.map((l) => l.lineTotal.amount));
  // The threshold counts goods only: adding a warranty must not change shipping, so the quote (no warranties
  // chosen yet) and the checkout show the same shipping.
  const goods = sum(products.map((p) => p.unitPrice.amount * p.quantity));
  const shipping = fee.freeFrom !== null && goods >= fee.freeFrom ? 0 : fee.flat;

  // Tax is rounded once per part (not per line, which could drift by a cent per line from the rate), then split
  // back onto the lines so each line carries exactly what a return of it must refund.
  const taxedShipping = rule.taxShipping ? shipping : 0;
  const tax = mulDivHalfUp(subtotal + taxedShipping, rule.taxBps, 10_000);
  const shares = allocate(tax, [...lines.map((l) => l.lineTotal.amount), taxedShipping]);
  const taxedLines = lines.map((l, i) => ({ ...l, tax: money(shares[i] ?? 0, currency) }));
  const shippingTax = shares[lines.length] ?? 0;

  return {
    merchantId,
    lines: taxedLines,
    subtotal: money(subtotal, currency),
    shipping: money(shipping, currency),
    shippingTax: money(shippingTax, currency),
    tax: money(tax, currency),
    total: money(subtotal + shipping + tax, currency),
  };
}
