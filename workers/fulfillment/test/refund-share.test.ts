import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderInvoice } from "../src/invoice-document.tsx";
import { type PaidLine, refundShare } from "../src/refund-share.ts";

const line = (quantity: number, lineTotal: number, tax: number): PaidLine => ({ kind: "product", sku: "SKU-1", quantity, lineTotal, tax });

describe("refundShare", () => {
  it("returning every unit, however it is split into returns, refunds exactly what was paid for the line", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }).chain((quantity) =>
          fc.record({
            quantity: fc.constant(quantity),
            unitPrice: fc.integer({ min: 0, max: 1_000_000 }),
            tax: fc.integer({ min: 0, max: 500_000 }),
            // How the units come back: a split of `quantity` into returns of at least one unit.
            cuts: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, quantity - 1) }), { maxLength: Math.max(0, quantity - 1) }),
          }),
        ),
        ({ quantity, unitPrice, tax, cuts }) => {
          const paid = line(quantity, unitPrice * quantity, tax);
          const marks = [0, ...cuts.filter((c) => c < quantity).sort((a, b) => a - b), quantity];
          let refunded = 0;
          for (let i = 1; i < marks.length; i++) {
            const share = refundShare(paid, marks[i - 1] ?? 0, (marks[i] ?? 0) - (marks[i - 1] ?? 0));
            expect(share).toBeGreaterThanOrEqual(0);
            refunded += share;
          }
          expect(refunded).toBe(paid.lineTotal + paid.tax);
        },
      ),
    );
  });

  it("a partial return refunds the units' share of price and tax, rounded down (the last unit takes the remainder)", () => {
    const paid = line(3, 3000, 250); // 3 × $10.00 + $2.50 tax
    expect(refundShare(paid, 0, 1)).toBe(1083);
    expect(refundShare(paid, 1, 1)).toBe(1083);
    expect(refundShare(paid, 2, 1)).toBe(1084);
  });
});

describe("renderInvoice", () => {
  it("escapes what it prints and shows money from integer minor units", () => {
    const html = renderInvoice({
      number: "INV-north-000007",
      issuedAt: new Date("2026-11-22T10:00:00Z"),
      orderId: "ord_1",
      email: "<script>alert(1)</script>@example.com",
      currency: "EUR",
      part: {
        merchantId: "mer_north",
        subtotal: 123456,
        shipping: 0,
        tax: 0,
        total: 123456,
        lines: [{ kind: "product", sku: "S<1>", productSlug: "a&b", quantity: 1, unitPrice: 123456, lineTotal: 123456, tax: 0 }],
      },
    });
    expect(html.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("S&lt;1&gt;");
    expect(html).toContain("€1,234.56");
    expect(html).toContain("INV-north-000007");
  });
});
