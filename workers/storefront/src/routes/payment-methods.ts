import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "#shared/edge-app.ts";

// How this shop takes payment, for checkout forms and API clients: which `payment.method` POST /v1/checkout
// expects, and the provider's public key their SDK needs (never a secret). The same for every shopper.
export const CheckoutPaymentMethod = z
  .discriminatedUnion("method", [
    z
      .object({ method: z.literal("card"), provider: z.literal("test") })
      .describe("Card numbers, to the built-in test provider (local only)"),
    z
      .object({ method: z.literal("stripe"), provider: z.literal("stripe"), publishableKey: z.string() })
      .describe("A PaymentMethod id made by Stripe.js with this publishable key"),
    z
      .object({ method: z.literal("paypal"), provider: z.literal("paypal"), clientId: z.string() })
      .describe("An order the payer approved in PayPal's JS SDK loaded with this client id"),
  ])
  .meta({ id: "CheckoutPaymentMethod" });

const route = createRoute({
  method: "get",
  path: "/v1/checkout/payment-methods",
  summary: "How this shop takes payment: the `payment.method` checkout expects and the provider's public key",
  responses: {
    200: {
      description: "The accepted payment methods (one today)",
      content: { "application/json": { schema: z.object({ items: z.array(CheckoutPaymentMethod) }).meta({ id: "PaymentMethodList" }) } },
    },
  },
});

export const paymentMethodRoutes = createRouter<StorefrontEnv>().openapi(route, async (c) => {
  c.header("Cache-Control", "public, max-age=60");
  return c.json({ items: [await c.env.PAYMENTS.checkoutMethod()] }, 200);
});
