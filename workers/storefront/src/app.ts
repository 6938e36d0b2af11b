import { createEdgeApp } from "../../shared/src/edge-app.ts";
import { registerAccountRoutes } from "./routes/accounts.ts";
import { registerCartRoutes } from "./routes/carts.ts";
import { registerCatalogRoutes } from "./routes/catalog.ts";
import { registerDocs } from "./routes/docs.ts";
import { registerImageRoutes } from "./routes/images.ts";

export function createStorefrontApp() {
  const app = createEdgeApp<StorefrontEnv>({ service: "storefront" });
  app.get("/", (c) => c.json({ name: "Edge Commerce storefront", docs: "/docs", openapi: "/v1/openapi.json", products: "/v1/products" }));
  app.get("/healthz", (c) => c.json({ ok: true }));
  registerCatalogRoutes(app);
  registerCartRoutes(app);
  registerAccountRoutes(app);
  registerImageRoutes(app);
  registerDocs(app);
  return app;
}
export type StorefrontApp = ReturnType<typeof createEdgeApp<StorefrontEnv>>;
