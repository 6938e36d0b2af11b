import { describe, expect, it } from "vitest";
import { mimeMessage } from "../src/mime.ts";
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

describe("mimeMessage", () => {
  it("is multipart/alternative with a text and an HTML part, UTF-8 intact, and a non-ASCII subject encoded", () => {
    const raw = mimeMessage({
      from: "orders@edge-commerce.dev",
      to: "ada@example.com",
      subject: "Rückerstattung: 10,83 €",
      text: "Grüße",
      html: "<p>Grüße</p>",
      messageId: "ord_1:paid",
      requestId: "req-42",
      domain: "edge-commerce.dev",
      date: new Date("2026-11-22T10:00:00Z"),
    });
    const boundary = /boundary="([^"]+)"/.exec(raw)?.[1] ?? "";
    expect(raw).toMatch(/^From: orders@edge-commerce\.dev\r\n/);
    expect(raw).toContain("Content-Type: multipart/alternative");
    expect(raw).toContain("Message-ID: <ord_1=3Apaid@edge-commerce.dev>");
    expect(raw).toContain("\r\nX-Request-Id: req-42\r\n");
    expect(raw).toContain("Date: Sun, 22 Nov 2026 10:00:00 +0000");
    expect(raw).toMatch(/Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=/);
    const parts = raw.split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(2);
    const decode = (part: string) =>
      new TextDecoder().decode(Uint8Array.from(atob(part.split("\r\n\r\n")[1]?.replace(/\r\n/g, "") ?? ""), (c) => c.charCodeAt(0)));
    expect(parts[0]).toContain("text/plain; charset=utf-8");
    expect(decode(parts[0] ?? "")).toBe("Grüße");
    expect(parts[1]).toContain("text/html; charset=utf-8");
    expect(decode(parts[1] ?? "")).toBe("<p>Grüße</p>");
    expect(raw.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it("splits a long non-ASCII subject into encoded words within RFC 2047's 75 characters, and refuses header injection", () => {
    const base = {
      from: "orders@edge-commerce.dev",
      to: "ada@example.com",
      text: "t",
      html: "h",
      messageId: "e",
      requestId: "r",
      domain: "d",
      date: new Date(0),
    };
    const subject = "Rückerstattung für Ihre Bestellung — Grüße aus dem Laden, vielen Dank für Ihren Einkauf";
    const raw = mimeMessage({ ...base, subject });
    const header = raw.split("\r\n\r\n")[0]?.split("\r\n") ?? [];
    const start = header.findIndex((l) => l.startsWith("Subject:"));
    const folded = [
      header[start]?.slice("Subject: ".length) ?? "",
      ...header
        .slice(start + 1)
        .filter((l) => l.startsWith(" "))
        .map((l) => l.trim()),
    ];
    expect(folded.length).toBeGreaterThan(1);
    for (const word of folded) expect(word.length).toBeLessThanOrEqual(75);
    const decoded = folded.map((w) => new TextDecoder().decode(Uint8Array.from(atob(w.slice(10, -2)), (c) => c.charCodeAt(0)))).join("");
    expect(decoded).toBe(subject);
    expect(() => mimeMessage({ ...base, subject: "s", to: "ada@example.com\r\nBcc: everyone@example.com" })).toThrow(/not a plain email/);
    expect(mimeMessage({ ...base, subject: "s", requestId: "r\r\nBcc: everyone@example.com" })).not.toContain("Bcc:");
  });
});
