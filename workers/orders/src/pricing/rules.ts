import { z } from "zod";

// THIS FILE IS THE PRICING CONFIGURATION. Tax rates, shipping fees, free-shipping thresholds, installment APRs and
// warranty plans live here as explicit data, in code review rather than in a database, so every price the
// platform quotes can be traced to one reviewed line. Each table is validated by zod when the module loads: a
// typo (a float fee, a rate above 100 %) fails at deploy/test time, never in front of a shopper.
//
// Amounts are integer minor units of the currency they are keyed by (cents for USD, yen for JPY: JPY has no
// minor unit, so 900 there is ¥900). Rates are basis points (1 bp = 0.01 %, so 2000 = 20 %).

const Currency = z.string().regex(/^[A-Z]{3}$/, "ISO 4217 code");
const MinorUnits = z.number().int().nonnegative();
const Bps = z.number().int().min(0).max(10_000);

/** Shipping for one merchant part in one currency: a flat fee, waived when the part's goods reach `freeFrom`. */
export const ShippingFee = z.object({
  flat: MinorUnits,
  /** The part's product subtotal at or above which shipping is free; null means never free. */
  freeFrom: MinorUnits.nullable(),
});
export type ShippingFee = z.infer<typeof ShippingFee>;

export const CountryRule = z.object({
  /** The one consumption-tax rate we charge for the country (standard VAT/GST rate). */
  taxBps: Bps,
  /** Whether delivery charges are taxed like the goods (true across VAT/GST countries for goods at the standard rate). */
  taxShipping: z.boolean(),
  /** Shipping per merchant part, by the cart's currency. A currency missing here cannot be shipped to the country. */
  shipping: z.record(Currency, ShippingFee),
});
export type CountryRule = z.infer<typeof CountryRule>;

export const CountryRules = z.record(z.string().regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2 code"), CountryRule);

// The demo shop is priced in USD (workers/catalog/seed/demo-shop.ts), so every country has a USD row; the local
// currency rows are there for merchants who price locally.
const EU_SHIPPING = { USD: { flat: 1299, freeFrom: 10_000 }, EUR: { flat: 1199, freeFrom: 9_000 } };

const RULES = {
  // US sales tax depends on state, county and the seller's nexus; none of that is modelled yet, so the US is a
  // deliberate flat 0 (a tax-service integration would replace this row, not the algorithm).
  US: { taxBps: 0, taxShipping: false, shipping: { USD: { flat: 599, freeFrom: 5_000 } } },
  // Federal GST only; provincial HST/PST would need the province (shippingAddress.region).
  CA: { taxBps: 500, taxShipping: true, shipping: { USD: { flat: 999, freeFrom: 7_500 }, CAD: { flat: 1299, freeFrom: 10_000 } } },
  GB: { taxBps: 2000, taxShipping: true, shipping: { USD: { flat: 1299, freeFrom: 10_000 }, GBP: { flat: 999, freeFrom: 8_000 } } },
  DE: { taxBps: 1900, taxShipping: true, shipping: EU_SHIPPING },
  FR: { taxBps: 2000, taxShipping: true, shipping: EU_SHIPPING },
  NL: { taxBps: 2100, taxShipping: true, shipping: EU_SHIPPING },
  IE: { taxBps: 2300, taxShipping: true, shipping: EU_SHIPPING },
  ES: { taxBps: 2100, taxShipping: true, shipping: EU_SHIPPING },
  IT: { taxBps: 2200, taxShipping: true, shipping: EU_SHIPPING },
  AU: { taxBps: 1000, taxShipping: true, shipping: { USD: { flat: 1999, freeFrom: 15_000 }, AUD: { flat: 1995, freeFrom: 15_000 } } },
  JP: { taxBps: 1000, taxShipping: true, shipping: { USD: { flat: 1999, freeFrom: 15_000 }, JPY: { flat: 1500, freeFrom: 15_000 } } },
  // GST on goods ranges 5–28 % by HSN code; 18 % is the common rate for the electronics and home goods we sell.
  IN: { taxBps: 1800, taxShipping: true, shipping: { USD: { flat: 1999, freeFrom: 15_000 }, INR: { flat: 9900, freeFrom: 249_900 } } },
} as const satisfies Record<string, CountryRule>;

export type SupportedCountry = keyof typeof RULES;
CountryRules.parse(RULES);
export const COUNTRY_RULES: Readonly<Record<SupportedCountry, CountryRule>> = RULES;
export const SUPPORTED_COUNTRIES: readonly SupportedCountry[] = (Object.keys(RULES) as SupportedCountry[]).sort();

/** Own-property lookup, so "constructor" or "__proto__" from a request never finds an inherited member. */
export function countryRule(country: string): CountryRule | undefined {
  return Object.hasOwn(COUNTRY_RULES, country) ? COUNTRY_RULES[country as SupportedCountry] : undefined;
}

// ---- Installments ----

export const InstallmentConfig = z.object({
  /** APR in basis points by number of monthly payments. */
  aprBpsByMonths: z.record(z.string().regex(/^[1-9]\d*$/), Bps),
  /**
   * Per currency: the smallest order total and the smallest monthly payment we finance. Each payment costs a fixed
   * processing fee and a collection risk, so splitting a small order costs more than it earns, and lenders refuse
   * tiny schedules anyway. A currency missing here is offered no installments at all.
   */
  minimums: z.record(Currency, z.object({ total: MinorUnits, monthly: MinorUnits })),
});
export type InstallmentConfig = z.infer<typeof InstallmentConfig>;

export const INSTALLMENTS: InstallmentConfig = InstallmentConfig.parse({
  aprBpsByMonths: { 3: 0, 6: 999, 12: 1499 },
  minimums: {
    USD: { total: 5_000, monthly: 1_000 },
    EUR: { total: 5_000, monthly: 1_000 },
    GBP: { total: 5_000, monthly: 1_000 },
    CAD: { total: 7_500, monthly: 1_500 },
    AUD: { total: 7_500, monthly: 1_500 },
    JPY: { total: 7_500, monthly: 1_500 },
    INR: { total: 400_000, monthly: 80_000 },
  },
});

// ---- Warranties (extended protection plans) ----

export const WarrantyPlan = z.object({
  planId: z.string().regex(/^[a-z0-9-]+$/),
  years: z.number().int().positive(),
  /** Price per covered unit as a share of the unit price. */
  rateBps: Bps,
  /** Cheaper items are not worth covering (the plan would cost less than handling a claim); same currency as the item. */
  minUnitPrice: MinorUnits,
});
export type WarrantyPlan = z.infer<typeof WarrantyPlan>;

/** Root category slugs (departments) whose goods can be covered: things that break, not books or clothes. */
export const WARRANTY_DEPARTMENTS: readonly string[] = z.array(z.string().min(1)).parse(["electronics", "home-kitchen"]);

export const WARRANTY_PLANS: readonly WarrantyPlan[] = z.array(WarrantyPlan).parse([
  { planId: "care-1y", years: 1, rateBps: 800, minUnitPrice: 2_000 },
  { planId: "care-2y", years: 2, rateBps: 1400, minUnitPrice: 5_000 },
]);
