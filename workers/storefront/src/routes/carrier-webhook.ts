import { createRoute, z } from "@hono/zod-openapi";
import { CarrierEvent } from "#schema/fulfillment/dto.ts";
import { createRouter } from "#shared/edge-app.ts";
import { problem, problemResponse } from "#shared/problem.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { signedDelivery, timestampedSignatureMissing, webhookLimit } from "./webhook-guards.ts";

const MAX_WEBHOOK_BYTES = 64 * 1024;

const signed = signedDelivery((c) => timestampedSignatureMissing(c.req.header("X-Carrier-Signature")));

const route = guarded(
  createRoute({
    method: "post",
    path: "/v1/webhooks/carrier",
    summary:
      "Carrier tracking updates, signed with HMAC-SHA256 in X-Carrier-Signature (t=<unix>,v1=<hex>); `delivered` delivers the shipment",
    request: {
      headers: z.object({
        "x-carrier-signature": z.string().max(512).optional().describe("t=<unix seconds>,v1=<hex HMAC-SHA256 of `t.body`>"),
      }),
      body: { required: true, content: { "application/json": { schema: CarrierEvent } } },
    },
    responses: {
      200: {
        description: "Received (a resent event, or one for a parcel we do not know, changes nothing)",
        content: {
          "application/json": {
            schema: z.object({ received: z.boolean(), duplicate: z.boolean(), applied: z.boolean(), shipmentId: z.string().nullable() }),
          },
        },
      },
      400: problemDoc("Not a carrier event"),
      401: problemDoc("Unsigned, forged, or signed more than 5 minutes ago; nothing changed"),
      409: problemDoc("The shipment cannot be delivered from its status"),
    },
  }),
  webhookLimit,
  signed,
);

// The signature covers the exact bytes, so the body is passed on raw (validated after the signature holds).
export const carrierWebhookRoutes = createRouter<StorefrontEnv>().openapi(route, async (c) => {
  const rawBody = await c.req.text();
  if (rawBody.length > MAX_WEBHOOK_BYTES) return problemResponse(problem(400, "webhook body too large")) as never;
  const outcome = await c.env.FULFILLMENT.carrierWebhook(rawBody, c.req.header("X-Carrier-Signature"), { requestId: c.get("requestId") });
  if (outcome.status !== 200)
    return problemResponse({ ...problem(outcome.status, outcome.detail), requestId: c.get("requestId") }) as never;
  const { received, duplicate, applied, shipmentId } = outcome;
  return c.json({ received, duplicate, applied, shipmentId }, 200);
});
