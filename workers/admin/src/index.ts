import { registerDocsPage } from "../../shared/src/docs-page.ts";
import { createEdgeApp } from "../../shared/src/edge-app.ts";
import { createLogger, parseLogLevel } from "../../shared/src/logger.ts";
import { storeDeadLetters } from "./dead-letters/store.ts";
import { deadLetterRoutes } from "./routes/dead-letters.ts";
import { fulfillmentRoutes } from "./routes/fulfillment.ts";
import { healthRoutes } from "./routes/health.ts";
import { productRoutes } from "./routes/products.ts";

const app = createEdgeApp<AdminEnv>({ service: "admin" })
  .route("/", productRoutes)
  .route("/", fulfillmentRoutes)
  .route("/", deadLetterRoutes)
  .route("/", healthRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
app.doc31("/admin/openapi.json", { openapi: "3.1.0", info: { title: "Edge Commerce merchant API", version: "1.0.0" } });
registerDocsPage(app, "/admin/openapi.json");
app.get("/healthz", (c) => c.json({ ok: true }));

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  async queue(batch, env) {
    await storeDeadLetters(env.DB, batch, createLogger("admin", parseLogLevel(env.LOG_LEVEL), { queue: batch.queue }));
  },
} satisfies ExportedHandler<AdminEnv>;
