import { describe, expect, it } from "vitest";
import { outgoingEmail } from "../src/outgoing-email.ts";
import { receipt } from "../src/templates/receipt.ts";
import { refund } from "../src/templates/refund.ts";
import { delivered, shipped } from "../src/templates/shipping.ts";

const order = {
  orderId: "ord_123",
  userId: null,
  email: "ada@example.com",
  currency: "EUR",
  subtotal: 123456,
  shipping: 499,
  tax: 0,
  total: 123955,
  paymentId: "ord_123",
  card: { brand: "visa", last4: "4242" },
  parts: [
    {
      merchantId: "mer_a",
      subtotal: 123456,
      shipping: 499,
      tax: 0,
      total: 123955,
      lines: [
        {
          kind: "product" as const,
          sku: "SKU-1",
          productSlug: "<script>alert(1)</script>",
          quantity: 2,
          unitPrice: 61728,
          lineTotal: 123456,
          tax: 0,
        },
      ],
    },
  ],
};
const shipment = {
  shipmentId: "shp_1",
  orderId: "ord_123",
  merchantId: "mer_a",
  email: "ada@example.com",
  status: "shipped" as const,
  carrier: "UPS",
  trackingNumber: "1Z999",
  items: [{ sku: "SKU-1", quantity: 2 }],
};

describe("email templates", () => {
  it("the receipt lists lines and totals in the order's currency, escaped in HTML, linking to the order", () => {
    const mail = receipt(order, "https://shop.example/orders/ord_123");
    expect(mail.html.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(mail.subject).toContain("ord_123");
    expect(mail.text).toContain("€1,239.55");
    expect(mail.text).toContain("visa card ending 4242");
    expect(mail.html).toContain("€1,234.56");
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;script&gt;");
    expect(mail.html).toContain('href="https://shop.example/orders/ord_123"');
  });

  it("shipped, delivered and refund say what happened", () => {
    expect(shipped(shipment, "u").text).toContain("Tracking number: 1Z999");
    expect(delivered({ ...shipment, status: "delivered" }, "u").subject).toContain("delivered");
    const r = refund(
      {
        returnId: "rma_1",
        orderId: "ord_123",
        merchantId: "mer_a",
        email: "a@b.c",
        status: "refunded",
        items: [{ sku: "SKU-1", quantity: 1 }],
        refundId: "re_1",
        amount: 1083,
        currency: "USD",
      },
      "u",
    );
    expect(r.subject).toContain("$10.83");
  });
});

describe("outgoingEmail", () => {
  const base = {
    from: "orders@edge-commerce.dev",
    to: "ada@example.com",
    subject: "Rückerstattung: 10,83 €",
    text: "Grüße",
    html: "<p>Grüße</p>",
    eventId: "ord_1:paid",
    requestId: "req-42",
  };

  it("is the binding's builder form: both alternatives as given, the event and the request as X- headers only", () => {
    expect(outgoingEmail(base)).toEqual({
      from: "orders@edge-commerce.dev",
      to: "ada@example.com",
      subject: "Rückerstattung: 10,83 €",
      text: "Grüße",
      html: "<p>Grüße</p>",
      headers: { "X-Event-Id": "ord_1:paid", "X-Request-Id": "req-42" },
    });
  });

  it("refuses anything but one plain address, and lets nothing else start a header", () => {
    for (const to of ["ada@example.com\r\nBcc: everyone@example.com", "Ada <ada@example.com>", "a@b.c, eve@example.com", "ada"]) {
      expect(() => outgoingEmail({ ...base, to })).toThrow(/not a plain email/);
    }
    expect(() => outgoingEmail({ ...base, from: "orders@edge-commerce.dev\nBcc: x@y.z" })).toThrow(/not a plain email/);
    const mail = outgoingEmail({
      ...base,
      subject: "Order 1\r\nBcc: everyone@example.com",
      eventId: "e\r\nBcc: everyone@example.com",
      requestId: "r\r\nBcc: everyone@example.com",
    });
    expect(mail.subject).toBe("Order 1 Bcc: everyone@example.com");
    expect(mail.headers).toEqual({ "X-Event-Id": "e%0D%0ABcc:%20everyone@example.com" });
    expect(outgoingEmail({ ...base, eventId: "50%\u00e9" }).headers["X-Event-Id"]).toBe("50%25%C3%A9");
  });
});
