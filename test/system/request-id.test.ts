import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxOf, waitFor } from "./after-sale-client.ts";
import { eventually, pickSku } from "./cart-client.ts";
import { checkoutBody, shopper } from "./checkout-client.ts";
import { bootWithLogs, freshStateDir, type LogLine } from "./platform-harness.ts";

// One request id from the shopper's checkout to the last email: the storefront, the orders Worker and its Checkout
// object, the Inventory objects, payments, every queue consumer that handles the order's events (and the events
// they emit in turn), and the confirmation email all carry it. Runs at `debug`, where every hop logs a line.
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof bootWithLogs>>;

beforeAll(async () => {
  platform = await bootWithLogs(state.dir, { demoSize: 40, logLevel: "debug" });
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

const linesWith = (requestId: string): LogLine[] => platform.logs.filter((l) => l.requestId === requestId);
/** Where a line came from: the Worker, and the Durable Object class or queue when it is one. */
const origin = (l: LogLine): string => [l.service, l.object ?? (l.queue === undefined ? undefined : "queue")].filter(Boolean).join("/");

describe("request id", () => {
  it("follows a guest checkout through every Worker, object, queue consumer and the email", async () => {
    const requestId = `trace-${crypto.randomUUID()}`;
    const { sku } = await pickSku(platform, "v.available >= 5 AND p.flash_sale = 0");
    const guest = shopper(platform, "203.0.113.77");
    const cart = await guest.cart([{ sku, quantity: 1 }]);
    const placed = await guest.shop("POST", "/v1/checkout", {
      body: checkoutBody(cart.id),
      headers: {
        "idempotency-key": `key-${crypto.randomUUID()}`,
        "x-request-id": requestId,
        ...(cart.token ? { "x-cart-token": cart.token } : {}),
      },
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.headers.get("x-request-id")).toBe(requestId);
    const orderId = String((placed.body.order as { id: string }).id);

    // order.paid reaches fulfilment and notifications; fulfilment's shipment.created comes back to orders.
    const wanted = [
      "storefront",
      "orders",
      "orders/Checkout",
      "durable-objects/Cart",
      "durable-objects/Inventory",
      "payments",
      "fulfillment/queue",
      "notifications/queue",
    ];
    const seen = await eventually(
      async () => new Set(linesWith(requestId).map(origin)),
      (s) => wanted.every((w) => s.has(w)) && linesWith(requestId).some((l) => l.service === "orders" && l.type === "shipment.created"),
      30_000,
    );
    expect([...seen].sort()).toEqual(expect.arrayContaining(wanted));
    // order.paid from the orders outbox; shipment.created, which fulfilment emitted while handling it, carries it on.
    const handled = linesWith(requestId).filter((l) => l.queue !== undefined);
    expect(handled.filter((l) => l.type === "order.paid").map((l) => l.service)).toEqual(
      expect.arrayContaining(["fulfillment", "notifications"]),
    );
    expect(handled.filter((l) => l.type === "shipment.created").map((l) => l.service)).toContain("orders");

    const mails = await waitFor(
      () => outboxOf(platform, orderId),
      (m) => m.some((e) => e.template === "receipt"),
    );
    const receipt = mails.find((e) => e.template === "receipt");
    expect(receipt?.requestId).toBe(requestId);
  });

  it("follows a sign-in into identity and its LoginThrottle objects", async () => {
    const requestId = `trace-${crypto.randomUUID()}`;
    const reply = await shopper(platform, "203.0.113.79").shop("POST", "/v1/auth/login", {
      body: { email: "nobody@example.com", password: "not the password" },
      headers: { "x-request-id": requestId },
    });
    expect(reply.status).toBe(401);
    const seen = await eventually(
      async () => new Set(linesWith(requestId).map(origin)),
      (s) => s.has("identity/LoginThrottle"),
    );
    expect([...seen]).toEqual(expect.arrayContaining(["storefront", "identity", "identity/LoginThrottle"]));
  });

  it("replaces a hostile request id, and never logs it", async () => {
    const hostile = `x"},{"level":"error","msg":"forged <script>`;
    const reply = await shopper(platform, "203.0.113.78").shop("GET", "/v1/products?limit=1", { headers: { "x-request-id": hostile } });
    expect(reply.status).toBe(200);
    const given = reply.headers.get("x-request-id") ?? "";
    expect(given).not.toBe(hostile);
    expect(given).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    await eventually(
      async () => linesWith(given).length,
      (n) => n > 0,
    );
    expect(platform.logs.some((l) => JSON.stringify(l).includes("forged <script>"))).toBe(false);
  });
});
