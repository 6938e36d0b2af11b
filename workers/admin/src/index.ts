import { z } from "@hono/zod-openapi";
import { MAX_IMAGE_BYTES } from "#schema/catalog/admin-dto.ts";
import { scheduledBackup } from "#shared/backup/run.ts";
import { BACKUP_CRON, EVERY_MINUTE, runCron } from "#shared/cron.ts";
import { registerDocsPage } from "#shared/docs-page.ts";
import { createEdgeApp } from "#shared/edge-app.ts";
import { imageRoutes } from "#shared/image-route.ts";
import { createLogger, parseLogLevel } from "#shared/logger.ts";
import { recordMetric } from "#shared/metrics/record.ts";
import { deadLetterBacklog } from "./dead-letters/backlog.ts";
import { storeDeadLetters } from "./dead-letters/store.ts";
import { dashboardRoutes } from "./pages/index.tsx";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { deadLetterRoutes } from "./routes/dead-letters.ts";
import { fulfillmentRoutes } from "./routes/fulfillment.ts";
import { healthRoutes } from "./routes/health.ts";
import { imageRoutes as uploadRoutes } from "./routes/images.ts";
import { insightRoutes } from "./routes/insights.ts";
import { inventoryRoutes } from "./routes/inventory.ts";
import { operationsRoutes } from "./routes/operations.ts";
import { orderRoutes } from "./routes/orders.ts";
import { productRoutes } from "./routes/products.ts";
import { staffRoutes } from "./routes/staff.ts";

export { ApiKeyMeter } from "./api-keys/meter.ts";

// Image uploads are the largest bodies (5 MiB and a multipart envelope); every JSON body is validated anyway.
const app = createEdgeApp<AdminEnv>({ service: "admin", maxBodyBytes: MAX_IMAGE_BYTES + 256 * 1024 })
  .route("/", productRoutes)
  .route("/", uploadRoutes)
  .route("/", inventoryRoutes)
  .route("/", orderRoutes)
  .route("/", fulfillmentRoutes)
  .route("/", staffRoutes)
  .route("/", apiKeyRoutes)
  .route("/", insightRoutes)
  .route("/", deadLetterRoutes)
  .route("/", operationsRoutes)
  .route("/", imageRoutes<AdminEnv>())
  .route("/", healthRoutes);

// The dashboard is a client of the API above, in process: it can do nothing the API would not allow.
app.route(
  "/",
  dashboardRoutes(async (request, env, ctx) => app.fetch(request, env, ctx)),
);
app.openAPIRegistry.registerPath({
  method: "get",
  path: "/admin",
  summary: "The merchant dashboard (web pages, signed in with a session cookie; every form is CSRF-protected)",
  responses: {
    200: { description: "The overview page", content: { "text/html": { schema: z.string() } } },
    303: { description: "Not signed in: to /admin/sign-in" },
  },
});

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT or ek_ API key",
});
app.doc31("/admin/openapi.json", { openapi: "3.1.0", info: { title: "Edge Commerce merchant API", version: "1.0.0" } });
registerDocsPage(app, "/admin/openapi.json");
app.get("/healthz", (c) => c.json({ ok: true }));

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  async queue(batch, env) {
    await storeDeadLetters(env.DB, batch, createLogger("admin", parseLogLevel(env.LOG_LEVEL), { queue: batch.queue }));
  },
  async scheduled(controller, env, ctx) {
    await runCron(controller, {
      // The dead letters as a metric (the operations page charts them; /health alerts on them live).
      [EVERY_MINUTE]: async () => {
        const { pending, oldestPendingSeconds } = await deadLetterBacklog(env.DB);
        recordMetric(env.METRICS, { kind: "dead_letters", service: "admin", pending, oldestSeconds: oldestPendingSeconds }, (p) =>
          ctx.waitUntil(p),
        );
      },
      [BACKUP_CRON]: () => scheduledBackup(controller, env, { service: "admin", database: "operations" }),
    });
  },
} satisfies ExportedHandler<AdminEnv>;
