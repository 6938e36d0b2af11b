import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "#shared/edge-app.ts";
import { problem, problemResponse } from "#shared/problem.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { signedDelivery, timestampedSignatureMissing, webhookLimit } from "./webhook-guards.ts";

// Providers tell us about payments that settle later (3-D Secure, PayPal approval, refunds made in their
// dashboards). The payments Worker checks the signature over the exact bytes, so the body is passed on raw.
const SIGNATURE_HEADERS = [
  "stripe-signature",
  "paypal-transmission-id",
  "paypal-transmission-time",
  "paypal-transmission-sig",
  "paypal-cert-url",
  "paypal-auth-algo",
];
const PAYPAL_SIGNATURE_HEADERS = SIGNATURE_HEADERS.filter((h) => h.startsWith("paypal-"));
const MAX_WEBHOOK_BYTES = 256 * 1024;

// Stripe's signature is checked in full by the payments Worker (it holds the secret); PayPal's by PayPal itself, a
// network call, so a delivery without the headers either needs is refused here first.
const signed = signedDelivery((c) => {
  if (c.req.param("provider") === "paypal") {
    const missing = PAYPAL_SIGNATURE_HEADERS.filter((h) => (c.req.header(h) ?? "") === "");
    return missing.length === 0 ? null : `the PayPal transmission headers are missing (${missing.join(", ")})`;
  }
  return timestampedSignatureMissing(c.req.header("stripe-signature"));
});

const route = guarded(
  createRoute({
    method: "post",
    path: "/v1/webhooks/payments/{provider}",
    summary: "Payment provider webhooks (Stripe, PayPal), verified by signature; a repeated event changes nothing",
    request: {
      params: z.object({ provider: z.enum(["stripe", "paypal"]) }),
      body: { required: true, content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } },
    },
    responses: {
      200: {
        description: "Accepted (or a repeat of an event already handled)",
        content: { "application/json": { schema: z.object({ received: z.boolean(), duplicate: z.boolean() }) } },
      },
      400: problemDoc("Not an event this endpoint understands"),
      401: problemDoc("Missing, forged or stale signature"),
      503: problemDoc("Cannot be verified or applied right now; nothing was recorded, so the provider delivers it again"),
    },
  }),
  webhookLimit,
  signed,
);

export const paymentWebhookRoutes = createRouter<StorefrontEnv>().openapi(route, async (c) => {
  const rawBody = await c.req.text();
  if (rawBody.length > MAX_WEBHOOK_BYTES) return problemResponse(problem(400, "webhook body too large")) as never;
  const headers: Record<string, string> = {};
  for (const name of SIGNATURE_HEADERS) {
    const value = c.req.header(name);
    if (value !== undefined) headers[name] = value;
  }
  const outcome = await c.env.PAYMENTS.webhook(
    { provider: c.req.valid("param").provider, rawBody, headers },
    { requestId: c.get("requestId") },
  );
  if (outcome.status !== 200)
    return problemResponse({ ...problem(outcome.status, outcome.detail), requestId: c.get("requestId") }) as never;
  return c.json({ received: true, duplicate: outcome.duplicate === true }, 200);
});
