import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AdminListRequest, AdminProduct, AdminProductPage, ImagePatch, ProductInput, ProductPatch } from "#schema/catalog/admin-dto.ts";
import { CategoryTree } from "#schema/catalog/dto.ts";
import { createRouter, type EdgeEnv } from "#shared/edge-app.ts";
import { ProblemError, problem } from "#shared/problem.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { merchantOnly } from "../guards.ts";
import { callOf, scopeOf } from "./context.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });
const productId = z.object({ id: z.string().max(80).describe("The product's id") });
const notFound = problemDoc("No such product, or another merchant's (never a 403)");
const badInput = problemDoc("Bad input: the problem names each field");
const conflict = problemDoc("A SKU is taken: another product has or had it, or it was removed from this one (`errors[].field` names each)");

const routes = {
  list: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/products",
      summary: "The merchant's products (drafts too; archived ones with status=archived), newest edit first",
      request: { query: AdminListRequest },
      responses: {
        200: json(AdminProductPage, "A page of products"),
        400: badInput,
        403: problemDoc("A merchant naming another merchant"),
      },
    }),
    merchantOnly,
  ),
  create: guarded(
    createRoute({
      method: "post",
      path: "/admin/v1/products",
      summary: "Create a product with its variants, prices and attributes",
      request: { body: body(ProductInput) },
      responses: { 201: json(AdminProduct, "The product, with its id and slug"), 400: badInput, 409: conflict },
    }),
    merchantOnly,
  ),
  get: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/products/{id}",
      summary: "One product as the merchant edits it",
      request: { params: productId },
      responses: { 200: json(AdminProduct, "The product"), 404: notFound },
    }),
    merchantOnly,
  ),
  update: guarded(
    createRoute({
      method: "patch",
      path: "/admin/v1/products/{id}",
      summary:
        "Change any fields; `variants`, when sent, replace the list (by SKU): a variant left out is archived with its SKU and stock history, never deleted. Shoppers see it within 10 s",
      request: { params: productId, body: body(ProductPatch) },
      responses: {
        200: json(AdminProduct, "The product as it now is"),
        400: badInput,
        404: notFound,
        409: conflict,
        503: problemDoc("The variants are archived but freezing a SKU's stock did not finish: send the same request again (Retry-After)"),
      },
    }),
    merchantOnly,
  ),
  archive: guarded(
    createRoute({
      method: "delete",
      path: "/admin/v1/products/{id}",
      summary: "Archive: shoppers stop seeing it; orders keep their history",
      request: { params: productId },
      responses: { 200: json(AdminProduct, "The product, archived"), 404: notFound },
    }),
    merchantOnly,
  ),
  updateImage: guarded(
    createRoute({
      method: "patch",
      path: "/admin/v1/products/{id}/images/{key}",
      summary: "Change an image's alt text or its place (position 0 is the listing's picture)",
      request: { params: productId.extend({ key: z.string().max(80).describe("The image's key") }), body: body(ImagePatch) },
      responses: { 200: json(AdminProduct, "The product"), 400: badInput, 404: problemDoc("No such image on this product") },
    }),
    merchantOnly,
  ),
  deleteImage: guarded(
    createRoute({
      method: "delete",
      path: "/admin/v1/products/{id}/images/{key}",
      summary: "Remove an image from the product",
      request: { params: productId.extend({ key: z.string().max(80).describe("The image's key") }) },
      responses: { 200: json(AdminProduct, "The product"), 404: problemDoc("No such image on this product") },
    }),
    merchantOnly,
  ),
  categories: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/categories",
      summary: "The category tree products are filed under",
      responses: { 200: json(CategoryTree, "Categories") },
    }),
    merchantOnly,
  ),
};

/**
 * Retires the Inventory object of each variant the product has archived, so nothing can hold or adjust a SKU
 * that left the catalog (each object refuses from the call that retires it; see Inventory.retire). The catalog's
 * archive comes first and decides; retiring again is harmless, so the same request repeated finishes a failed one.
 */
async function retireArchived(c: Context<EdgeEnv<AdminEnv>>, product: AdminProduct): Promise<void> {
  const skus = product.archivedVariants.map((v) => v.sku);
  const results = await Promise.allSettled(skus.map((sku) => c.env.INVENTORY.getByName(sku).retire()));
  const failed = skus.filter((_, i) => results[i]?.status === "rejected");
  if (failed.length === 0) return;
  c.get("log").error("retiring archived SKUs failed", { productId: product.id, skus: failed.join(",") });
  throw new ProblemError({
    ...problem(503, `the variants are archived, but the stock of ${failed.join(", ")} is not frozen yet: send the same request again`),
    extensions: { retryAfter: 1 },
  });
}

export const productRoutes = createRouter<AdminEnv>()
  .openapi(routes.list, async (c) => {
    const { merchantId, ...query } = c.req.valid("query");
    const own = scopeOf(c);
    // A merchant sees only its own products, whatever it asks for; only a platform admin may choose.
    if (own !== null && merchantId !== undefined && merchantId !== own)
      throw new ProblemError(403, "you can only list your own merchant's products");
    return c.json(unwrap(await c.env.CATALOG.adminListProducts(own ?? merchantId ?? null, query, callOf(c))), 200);
  })
  .openapi(routes.create, async (c) => c.json(unwrap(await c.env.CATALOG.createProduct(scopeOf(c), c.req.valid("json"), callOf(c))), 201))
  .openapi(routes.get, async (c) =>
    c.json(unwrap(await c.env.CATALOG.adminGetProduct(scopeOf(c), c.req.valid("param").id, callOf(c))), 200),
  )
  .openapi(routes.update, async (c) => {
    const patch = c.req.valid("json");
    const product = unwrap(await c.env.CATALOG.updateProduct(scopeOf(c), c.req.valid("param").id, patch, callOf(c)));
    if (patch.variants !== undefined) await retireArchived(c, product);
    return c.json(product, 200);
  })
  .openapi(routes.archive, async (c) =>
    c.json(unwrap(await c.env.CATALOG.updateProduct(scopeOf(c), c.req.valid("param").id, { status: "archived" }, callOf(c))), 200),
  )
  .openapi(routes.updateImage, async (c) => {
    const { id, key } = c.req.valid("param");
    return c.json(unwrap(await c.env.CATALOG.updateImage(scopeOf(c), id, key, c.req.valid("json"), callOf(c))), 200);
  })
  .openapi(routes.deleteImage, async (c) => {
    const { id, key } = c.req.valid("param");
    return c.json(unwrap(await c.env.CATALOG.deleteImage(scopeOf(c), id, key, callOf(c))), 200);
  })
  .openapi(routes.categories, async (c) => c.json(unwrap(await c.env.CATALOG.listCategories(callOf(c))), 200));
