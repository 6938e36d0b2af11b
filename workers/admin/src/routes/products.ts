import { createRoute, z } from "@hono/zod-openapi";
import { ListProductsQuery, ProductPage } from "../../../../schema/catalog/dto.ts";
import { callerOf } from "../../../shared/src/auth.ts";
import { createRouter } from "../../../shared/src/edge-app.ts";
import { ProblemError } from "../../../shared/src/problem.ts";
import { unwrap } from "../../../shared/src/result.ts";
import { guarded, problemDoc } from "../../../shared/src/route-guard.ts";
import { merchantOnly } from "../guards.ts";

const listOwnProducts = guarded(
  createRoute({
    method: "get",
    path: "/admin/v1/products",
    summary: "The merchant's own products (a platform admin may name any merchantId)",
    request: { query: ListProductsQuery.omit({ inStock: true, facets: true }).extend({ merchantId: z.string().max(64).optional() }) },
    responses: {
      200: { description: "A page of the merchant's products", content: { "application/json": { schema: ProductPage } } },
      400: problemDoc("Bad input: the problem names the parameter"),
      403: problemDoc("Not a merchant, or another merchant's products"),
    },
  }),
  merchantOnly,
);

export const productRoutes = createRouter<AdminEnv>().openapi(listOwnProducts, async (c) => {
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
