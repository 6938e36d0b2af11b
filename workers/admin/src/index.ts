import { createRoute, z } from "@hono/zod-openapi";
import { ListProductsQuery, ProductPage } from "../../../schema/catalog/dto.ts";
import { ProblemResponse } from "../../../schema/problem.ts";
import { callerOf, requireCaller } from "../../shared/src/auth.ts";
import { createEdgeApp } from "../../shared/src/edge-app.ts";
import { ProblemError } from "../../shared/src/problem.ts";
import { unwrap } from "../../shared/src/result.ts";

const app = createEdgeApp<AdminEnv>({ service: "admin" });
const MERCHANT_ROLES = ["merchant_staff", "merchant_owner", "platform_admin"] as const;

// Every merchant route needs a merchant (or platform admin) token; a shopper's token gets 403.
app.use("/admin/v1/*", requireCaller<AdminEnv>({ keys: (env) => env.IDENTITY.verificationKeys(), roles: MERCHANT_ROLES }));

const problemJson = { content: { "application/problem+json": { schema: ProblemResponse } } };
const listOwnProducts = createRoute({
  method: "get",
  path: "/admin/v1/products",
  summary: "The merchant's own products (a platform admin may name any merchantId)",
  security: [{ bearerAuth: [] }],
  request: { query: ListProductsQuery.omit({ inStock: true }).extend({ merchantId: z.string().max(64).optional() }) },
  responses: {
    200: { description: "A page of the merchant's products", content: { "application/json": { schema: ProductPage } } },
    401: { description: "Not signed in", ...problemJson },
    403: { description: "Not a merchant, or another merchant's products", ...problemJson },
  },
});

app.openapi(listOwnProducts, async (c) => {
  const caller = callerOf(c);
  const { merchantId: asked, ...query } = c.req.valid("query");
  // A merchant sees only its own products, whatever it asks for; only a platform admin may choose.
  if (caller.role !== "platform_admin" && asked !== undefined && asked !== caller.merchantId) {
    throw new ProblemError(403, "you can only list your own merchant's products");
  }
  const merchantId = caller.role === "platform_admin" ? asked : (caller.merchantId ?? undefined);
  if (merchantId === undefined && caller.role !== "platform_admin") throw new ProblemError(403, "your account belongs to no merchant");
  const page = unwrap(
    await c.env.CATALOG.listProducts({ ...query, ...(merchantId ? { merchantId } : {}) }, { requestId: c.get("requestId") }),
  );
  c.header("Cache-Control", "no-store");
  return c.json(page, 200);
});

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
app.doc31("/admin/openapi.json", { openapi: "3.1.0", info: { title: "Edge Commerce merchant API", version: "1.0.0" } });
app.get("/healthz", (c) => c.json({ ok: true }));

export default { fetch: (request, env, ctx) => app.fetch(request, env, ctx) } satisfies ExportedHandler<AdminEnv>;
