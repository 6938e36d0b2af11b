import { registerDocsPage } from "#shared/docs-page.ts";
import { createEdgeApp } from "#shared/edge-app.ts";
import { imageRoutes } from "#shared/image-route.ts";
import { shopRoutes } from "./pages/index.tsx";
import { accountRoutes } from "./routes/accounts.ts";
import { afterSaleRoutes } from "./routes/after-sale.ts";
import { carrierWebhookRoutes } from "./routes/carrier-webhook.ts";
import { cartRoutes } from "./routes/carts.ts";
import { catalogRoutes } from "./routes/catalog.ts";
import { checkoutRoutes } from "./routes/checkout.ts";
import { devRoutes } from "./routes/dev.ts";
import { healthRoutes } from "./routes/health.ts";
import { insightRoutes } from "./routes/insights.ts";
import { paymentMethodRoutes } from "./routes/payment-methods.ts";
import { paymentWebhookRoutes } from "./routes/payment-webhooks.ts";

export function createStorefrontApp() {
  const app = createEdgeApp<StorefrontEnv>({ service: "storefront" })
    .route("/", catalogRoutes)
    .route("/", cartRoutes)
    .route("/", accountRoutes)
    .route("/", checkoutRoutes)
    .route("/", paymentMethodRoutes)
    .route("/", paymentWebhookRoutes)
    .route("/", afterSaleRoutes)
    .route("/", carrierWebhookRoutes)
    .route("/", healthRoutes)
    .route("/", imageRoutes<StorefrontEnv>())
    .route("/", insightRoutes)
    .route("/", devRoutes);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  app.get("/healthz", (c) => c.json({ ok: true }));
  // OpenAPI 3.1 from the same zod schemas that validate requests; /docs renders it on the server, with
  // nothing loaded from any other origin.
  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Edge Commerce shopper API",
      version: "1.0.0",
      description: "Errors are RFC 9457 problem details (application/problem+json). Money is integer minor units.",
    },
  });
  registerDocsPage(app, "/v1/openapi.json");
  // The shop's pages: clients of the API above, in process. Mounted last: their catch-all is the friendly 404.
  app.route(
    "/",
    shopRoutes(async (request, env, ctx) => app.fetch(request, env, ctx)),
  );
  return app;
}
