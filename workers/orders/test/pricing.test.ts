import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocate,
  COUNTRY_RULES,
  INSTALLMENTS,
  installmentPlans,
  type PricedLine,
  type PricedOrder,
  type PricingResult,
  priceOrder,
  SUPPORTED_COUNTRIES,
  warrantyOffers,
} from "../src/pricing/index.ts";

const usd = (amount: number) => ({ amount, currency: "USD" });

const line = (over: Partial<PricedLine> & Pick<PricedLine, "sku">): PricedLine => ({
  productSlug: `slug-${over.sku}`,
  title: `Title ${over.sku}`,
  quantity: 1,
  unitPrice: usd(1000),
  merchantId: "mer_a",
  department: "books",
  ...over,
});

function priced(result: PricingResult<PricedOrder>): PricedOrder {
  if (!result.ok) throw new Error(`expected a priced order, got ${result.field}: ${result.message}`);
  return result.value;
}

const isInt = (n: number) => Number.isSafeInteger(n);

// Random carts: a few merchants, departments that may or may not take a warranty, demo-shop-like prices.
const arbLines = fc
  .uniqueArray(
    fc.record({
      sku: fc.stringMatching(/^[A-Z]{3}-[0-9]{1,4}$/),
      quantity: fc.integer({ min: 1, max: 20 }),
      amount: fc.integer({ min: 0, max: 300_000 }),
      merchantId: fc.constantFrom("mer_c", "mer_a", "mer_b"),
      department: fc.constantFrom("electronics", "home-kitchen", "books", "fashion"),
    }),
    { minLength: 1, maxLength: 8, selector: (l) => l.sku },
  )
  .map((ls) => ls.map(({ amount, ...l }) => line({ ...l, unitPrice: usd(amount) })));

describe("priceOrder: hand-computed cases", () => {
  it("GB: shipping is taxed and the part's tax is split by largest remainder", () => {
    const order = priced(priceOrder([line({ sku: "BOO-1", quantity: 2, unitPrice: usd(1999) })], "GB"));
    // goods 3998 < 10000 → shipping 1299; tax = round(0.20 × 5297 = 1059.4) = 1059;
    // shares: line 1059·3998/5297 = 799.298…, shipping 1059·1299/5297 = 259.70… → the missing cent goes to shipping.
    expect(order.parts).toHaveLength(1);
    const [part] = order.parts;
    expect(part?.subtotal).toEqual(usd(3998));
    expect(part?.shipping).toEqual(usd(1299));
    expect(part?.tax).toEqual(usd(1059));
    expect(part?.shippingTax).toEqual(usd(260));
    expect(part?.lines.map((l) => l.tax.amount)).toEqual([799]);
    expect(part?.lines[0]?.lineTotal).toEqual(usd(3998));
    expect(order.total).toEqual(usd(6356));
    expect(order.taxRateBps).toBe(2000);
  });

  it("US: one part per merchant, sorted, each with its own free-shipping threshold", () => {
    const order = priced(
      priceOrder(
        [line({ sku: "B-1", merchantId: "mer_b", unitPrice: usd(5000) }), line({ sku: "A-1", merchantId: "mer_a", unitPrice: usd(4999) })],
        "US",
      ),
    );
    expect(COUNTRY_RULES.US.shipping.USD).toEqual({ flat: 599, freeFrom: 5000 });
    expect(order.parts.map((p) => [p.merchantId, p.shipping.amount])).toEqual([
      ["mer_a", 599],
      ["mer_b", 0],
    ]);
    expect(order.shipping).toEqual(usd(599));
    expect(order.tax).toEqual(usd(0));
    expect(order.total).toEqual(usd(10_598));
  });

  it("DE: a chosen warranty is its own line in the covered line's part, taxed with it", () => {
    const order = priced(
      priceOrder(
        [
          line({ sku: "PHO-1", merchantId: "mer_e", department: "electronics", quantity: 3, unitPrice: usd(19_999) }),
          line({ sku: "BOO-1", merchantId: "mer_b", unitPrice: usd(1500) }),
        ],
        "DE",
        [{ sku: "PHO-1", planId: "care-2y" }],
      ),
    );
    const part = order.parts.find((p) => p.merchantId === "mer_e");
    // warranty unit: round(19999 × 14 % = 2799.86) = 2800, × 3 = 8400; goods 59997 ≥ 10000 → free shipping;
    // tax = round(19 % × 68397 = 12995.43) = 12995; shares 11399.05… and 1595.95… → 11399 + 1596.
    expect(part?.lines.map((l) => [l.kind, l.sku, l.quantity, l.unitPrice.amount, l.lineTotal.amount, l.tax.amount])).toEqual([
      ["product", "PHO-1", 3, 19_999, 59_997, 11_399],
      ["warranty", "warranty:care-2y:PHO-1", 3, 2800, 8400, 1596],
    ]);
    expect(part?.lines[1]).toMatchObject({ coversSku: "PHO-1", planId: "care-2y", years: 2 });
    expect(part?.shipping).toEqual(usd(0));
    expect(part?.total).toEqual(usd(81_392));
    expect(order.warrantyLines.map((l) => l.sku)).toEqual(["warranty:care-2y:PHO-1"]);
    expect(order.parts.find((p) => p.merchantId === "mer_b")?.lines.every((l) => l.kind === "product")).toBe(true);
  });
});

describe("priceOrder: refusals", () => {
  it("names shippingAddress.country for a country we do not ship to", () => {
    for (const country of ["ZZ", "us", "", "constructor", "__proto__"]) {
      const result = priceOrder([line({ sku: "X-1" })], country);
      expect(result).toMatchObject({ ok: false, field: "shippingAddress.country" });
    }
  });

  it("refuses unknown, ineligible, duplicate and orphan warranties, naming warranties", () => {
    const lines = [
      line({ sku: "BOO-1", department: "books", unitPrice: usd(5000) }),
      line({ sku: "CHE-1", department: "electronics", unitPrice: usd(3000) }),
      line({ sku: "PHO-1", department: "electronics", unitPrice: usd(9000) }),
    ];
    for (const choices of [
      [{ sku: "BOO-1", planId: "care-1y" }], // books are not covered
      [{ sku: "CHE-1", planId: "care-2y" }], // below care-2y's minimum unit price
      [{ sku: "PHO-1", planId: "care-9y" }], // no such plan
      [{ sku: "NOPE", planId: "care-1y" }], // not in the cart
      [
        { sku: "PHO-1", planId: "care-1y" },
        { sku: "PHO-1", planId: "care-2y" },
      ],
    ]) {
      expect(priceOrder(lines, "US", choices)).toMatchObject({ ok: false, field: "warranties" });
    }
    expect(priceOrder(lines, "US", [{ sku: "CHE-1", planId: "care-1y" }]).ok).toBe(true);
  });

  it("refuses a cart that mixes currencies, is empty or repeats a SKU", () => {
    expect(priceOrder([line({ sku: "A" }), line({ sku: "B", unitPrice: { amount: 100, currency: "EUR" } })], "DE")).toMatchObject({
      ok: false,
      field: "items",
    });
    expect(priceOrder([], "US")).toMatchObject({ ok: false, field: "items" });
    expect(priceOrder([line({ sku: "A" }), line({ sku: "A", merchantId: "mer_b" })], "US")).toMatchObject({ ok: false, field: "items" });
    expect(priceOrder([line({ sku: "A", quantity: 0 })], "US")).toMatchObject({ ok: false, field: "items" });
  });

  it("refuses a currency the country has no shipping price for", () => {
    expect(priceOrder([line({ sku: "A", unitPrice: { amount: 100, currency: "EUR" } })], "US")).toMatchObject({
      ok: false,
      field: "shippingAddress.country",
    });
  });
});

describe("priceOrder: properties", () => {
  it("line taxes + shipping tax = part tax; parts sum to the order; every amount is an integer", () => {
    fc.assert(
      fc.property(arbLines, fc.constantFrom(...SUPPORTED_COUNTRIES), (lines, country) => {
        const order = priced(priceOrder(lines, country));
        const rule = COUNTRY_RULES[country];
        expect(order.parts.map((p) => p.merchantId)).toEqual([...new Set(lines.map((l) => l.merchantId))].sort());
        for (const part of order.parts) {
          const lineTax = part.lines.reduce((s, l) => s + l.tax.amount, 0);
          expect(lineTax + part.shippingTax.amount).toBe(part.tax.amount);
          expect(part.subtotal.amount).toBe(part.lines.reduce((s, l) => s + l.lineTotal.amount, 0));
          expect(part.total.amount).toBe(part.subtotal.amount + part.shipping.amount + part.tax.amount);
          const taxable = part.subtotal.amount + (rule.taxShipping ? part.shipping.amount : 0);
          // Half-up: |tax − exact| ≤ ½, checked in integers: |2·10000·tax − 2·taxable·bps| ≤ 10000.
          expect(Math.abs(20_000 * part.tax.amount - 2 * taxable * rule.taxBps)).toBeLessThanOrEqual(10_000);
          if (!rule.taxShipping) expect(part.shippingTax.amount).toBe(0);
          for (const l of part.lines) expect(l.lineTotal.amount).toBe(l.unitPrice.amount * l.quantity);
        }
        for (const key of ["subtotal", "shipping", "tax", "total"] as const) {
          expect(order[key].amount).toBe(order.parts.reduce((s, p) => s + p[key].amount, 0));
        }
        const amounts = JSON.stringify(order).match(/"amount":-?[\d.e+]+/g) ?? [];
        expect(amounts.length).toBeGreaterThan(0);
        for (const a of amounts) expect(isInt(Number(a.slice(9)))).toBe(true);
      }),
    );
  });

  it("shipping per part is the flat fee below the threshold and free at or above it", () => {
    fc.assert(
      fc.property(arbLines, fc.constantFrom(...SUPPORTED_COUNTRIES), (lines, country) => {
        const fee = COUNTRY_RULES[country].shipping.USD;
        if (fee === undefined) throw new Error(`${country} has no USD shipping`);
        for (const part of priced(priceOrder(lines, country)).parts) {
          const goods = part.lines.filter((l) => l.kind === "product").reduce((s, l) => s + l.lineTotal.amount, 0);
          expect(part.shipping.amount).toBe(fee.freeFrom !== null && goods >= fee.freeFrom ? 0 : fee.flat);
        }
      }),
    );
  });

  it("every offered warranty can be chosen, lands in the covered line's part and costs what was offered", () => {
    fc.assert(
      fc.property(arbLines, fc.constantFrom(...SUPPORTED_COUNTRIES), (lines, country) => {
        const offers = warrantyOffers(lines);
        // One plan per SKU: the first offer for each.
        const chosen = [...new Map(offers.map((o) => [o.sku, o])).values()];
        const order = priced(
          priceOrder(
            lines,
            country,
            chosen.map((o) => ({ sku: o.sku, planId: o.planId })),
          ),
        );
        expect(order.warrantyLines).toHaveLength(chosen.length);
        for (const offer of chosen) {
          const merchantId = lines.find((l) => l.sku === offer.sku)?.merchantId;
          const part = order.parts.find((p) => p.merchantId === merchantId);
          const w = part?.lines.find((l) => l.kind === "warranty" && l.coversSku === offer.sku);
          expect(w?.lineTotal).toEqual(offer.price);
          expect(w?.sku).toBe(`warranty:${offer.planId}:${offer.sku}`);
        }
      }),
    );
  });
});

describe("allocate", () => {
  it("sums exactly and never strays a whole unit from the proportional share", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1 }),
        (total, ws) => {
          const weights = ws.some((w) => w > 0) ? ws : [...ws, 1];
          const shares = allocate(total, weights);
          const sum = weights.reduce((s, w) => s + w, 0);
          expect(shares.reduce((s, x) => s + x, 0)).toBe(total);
          shares.forEach((share, i) => {
            expect(Math.abs(share * sum - total * (weights[i] ?? 0))).toBeLessThan(sum);
          });
        },
      ),
    );
  });
});

describe("warrantyOffers", () => {
  it("offers plans only for covered departments at or above each plan's minimum unit price", () => {
    const offers = warrantyOffers([
      line({ sku: "PHO-1", department: "electronics", quantity: 2, unitPrice: usd(19_999) }),
      line({ sku: "PAN-1", department: "home-kitchen", unitPrice: usd(2000) }),
      line({ sku: "PAN-2", department: "home-kitchen", unitPrice: usd(1999) }),
      line({ sku: "BOO-1", department: "books", unitPrice: usd(99_900) }),
    ]);
    // care-1y: round(19999 × 8 % = 1599.92) = 1600 per unit; care-2y: 2800 per unit; PAN-1: 160, below care-2y's 5000 minimum.
    expect(offers).toEqual([
      { sku: "PHO-1", planId: "care-1y", years: 1, price: usd(3200) },
      { sku: "PHO-1", planId: "care-2y", years: 2, price: usd(5600) },
      { sku: "PAN-1", planId: "care-1y", years: 1, price: usd(160) },
    ]);
  });
});

describe("installmentPlans", () => {
  it("matches the textbook schedule: 1000.00 at 12 % over 12 months is 88.85 a month", () => {
    const [plan] = installmentPlans(usd(100_000), { 12: 1200 });
    expect(plan?.monthly).toEqual(usd(8885));
    expect(plan?.schedule.map((m) => m.amount)).toEqual([...Array(11).fill(8885), 8884]);
    expect(plan?.total).toEqual(usd(106_619));
    expect(plan?.apr).toBe(12);
    expect(plan?.aprBps).toBe(1200);
  });

  it("offers the configured plans, 0 % costing exactly the order total", () => {
    const plans = installmentPlans(usd(100_000));
    expect(plans.map((p) => [p.months, p.apr, p.aprBps, p.monthly.amount, p.total.amount])).toEqual([
      [3, 0, 0, 33_333, 100_000],
      [6, 9.99, 999, 17_156, 102_935],
      [12, 14.99, 1499, 9025, 108_303],
    ]);
    expect(plans[0]?.schedule.map((m) => m.amount)).toEqual([33_333, 33_333, 33_334]);
  });

  it("offers nothing below the minimum total, and drops plans whose payment is below the minimum payment", () => {
    expect(installmentPlans(usd(4999))).toEqual([]);
    expect(installmentPlans(usd(0))).toEqual([]);
    expect(installmentPlans({ amount: 100_000, currency: "XXX" })).toEqual([]);
    // 5000 over 3 months is 16.67 a month (≥ 10.00); over 6 or 12 months it would be below 10.00.
    expect(installmentPlans(usd(5000)).map((p) => p.months)).toEqual([3]);
  });

  it("each schedule sums exactly to its total, payments are positive integers, and 0 % keeps the order total", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50_000_000 }),
        fc.dictionary(fc.integer({ min: 1, max: 60 }).map(String), fc.integer({ min: 0, max: 3600 }), { minKeys: 1, maxKeys: 4 }),
        (amount, aprBpsByMonths) => {
          const minimum = INSTALLMENTS.minimums.USD;
          if (minimum === undefined) throw new Error("no USD minimums");
          for (const plan of installmentPlans(usd(amount), aprBpsByMonths)) {
            const amounts = plan.schedule.map((m) => m.amount);
            expect(amounts).toHaveLength(plan.months);
            expect(amounts.reduce((s, a) => s + a, 0)).toBe(plan.total.amount);
            for (const a of amounts) expect(isInt(a) && a > 0).toBe(true);
            expect(amounts.slice(0, -1).every((a) => a === plan.monthly.amount)).toBe(true);
            expect(plan.monthly.amount).toBeGreaterThanOrEqual(minimum.monthly);
            if (plan.aprBps === 0) expect(plan.total.amount).toBe(amount);
            else expect(plan.total.amount).toBeGreaterThanOrEqual(amount);
            // The last payment only absorbs rounding: at most a cent a month (the payment's and the interest's
            // half-cents), each compounded at the monthly rate until the end.
            const bound = plan.months * (1 + plan.aprBps / 120_000) ** (plan.months + 1);
            expect(Math.abs((amounts.at(-1) ?? 0) - plan.monthly.amount)).toBeLessThanOrEqual(bound);
          }
        },
      ),
    );
  });
});
