import { createRoute, z } from "@hono/zod-openapi";
import { CategoryTree, ListProductsQuery, listRequestFrom, ProductDetail, ProductPage, ProductSummary } from "#schema/catalog/dto.ts";
import { createRouter } from "#shared/edge-app.ts";
import { ProblemError, problem } from "#shared/problem.ts";
import { perClientLimit } from "#shared/rate-limit.ts";
import { type Result, unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { TtlCache } from "#shared/ttl-cache.ts";
import { recommendationsFor } from "../recommendations.ts";

// Free-text search and facet counts cost far more than a category page does, so strangers get a budget for them.
const searchLimit = perClientLimit<StorefrontEnv>({
  what: "searches",
  limiter: (env) => env.LIMIT_SEARCH,
  applies: (c) => (c.req.query("q") ?? "") !== "" || c.req.query("facets") === "true",
});

const listRoute = guarded(
  createRoute({
    method: "get",
    path: "/v1/products",
    summary: "A page of products",
    description:
      "Newest first by default (most relevant first with `q`, a full-text search of title, brand, description and attributes, accent-insensitive, by word prefix); a category includes its sub-categories. Filters combine with AND; repeated values of one filter with OR: `brand=`, `priceMin=`/`priceMax=` (minor units), `ratingMin=`, `inStock=true`, and `attr.<key>=<value>` for any attribute key. `facets=true` adds counts over the whole result, each facet counted with every filter but its own. Follow `nextCursor` for the next page.",
    request: { query: ListProductsQuery },
    responses: {
      200: { description: "A page of products", content: { "application/json": { schema: ProductPage } } },
      400: problemDoc("Bad input: the problem names the parameter"),
      404: problemDoc("No such category"),
    },
  }),
  searchLimit,
);

// The product page's one call: the product, live stock, its rating and recommendations (empty when insights is
// slow or down: see RECOMMENDATIONS_BUDGET_MS).
const ProductPageDetail = ProductDetail.extend({
  recommendations: z.array(ProductSummary).describe("Bought together, then the category's best-sellers; in stock only"),
}).meta({ id: "ProductPageDetail" });

const detailRoute = createRoute({
  method: "get",
  path: "/v1/products/{slug}",
  summary: "One product with its variants, attributes and images",
  request: { params: z.object({ slug: z.string().min(1).max(200) }) },
  responses: {
    200: { description: "The product", content: { "application/json": { schema: ProductPageDetail } } },
    400: problemDoc("Bad input: the problem names the parameter"),
    404: problemDoc("No such product"),
  },
});

const categoriesRoute = createRoute({
  method: "get",
  path: "/v1/categories",
  summary: "The category tree",
  responses: {
    200: { description: "Top-level categories with their children", content: { "application/json": { schema: CategoryTree } } },
  },
});

// Anonymous catalog reads are the same for everyone: each isolate keeps an answer fresh 3 s and may serve it 3 s
// more while one request refreshes it (so a hot search never stampedes), and browsers or shared caches may keep
// it 4 s: a merchant's edit shows everywhere within 10 s. Live stock on the product page is never cached, and
// prices are verified again at checkout: a cached page can be stale, never a charge. Bounded in entries, so a
// catalog of any size cannot fill the isolate.
const FRESH_MS = 3_000;
const STALE_MS = 3_000;
const PUBLIC_READ = "public, max-age=4";
const lists = new TtlCache<Result<ProductPage>>(FRESH_MS, 500, STALE_MS);
const details = new TtlCache<Result<ProductDetail>>(FRESH_MS, 5_000, STALE_MS);
const trees = new TtlCache<Result<CategoryTree>>(FRESH_MS, 1, STALE_MS);
const isOk = (r: Result<unknown>): boolean => r.ok;

/** The query string with its parameters in one order, so equivalent URLs share an entry. */
function canonicalQuery(url: string): string {
  const params = [...new URL(url).searchParams].sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1));
  return new URLSearchParams(params).toString();
}

/** Catalog reads: validated here, answered by the catalog Worker over RPC with the request id passed along. */
export const catalogRoutes = createRouter<StorefrontEnv>()
  .openapi(listRoute, async (c) => {
    const request = listRequestFrom(c.req.valid("query"), c.req.queries());
    if (!request.ok) throw new ProblemError(problem(400, request.message, [{ field: request.field, message: request.message }]));
    const page = unwrap(
      await lists.getOrLoad(
        canonicalQuery(c.req.url),
        () => c.env.CATALOG.listProducts(request.value, { requestId: c.get("requestId") }),
        isOk,
      ),
    );
    c.header("Cache-Control", PUBLIC_READ);
    return c.json(page, 200);
  })
  .openapi(detailRoute, async (c) => {
    const { slug } = c.req.valid("param");
    const product = unwrap(await details.getOrLoad(slug, () => c.env.CATALOG.getProduct(slug, { requestId: c.get("requestId") }), isOk));
    // Recommendations run beside the live stock read, within their own time budget (never failing the page).
    const recommendations = recommendationsFor(c.env, { requestId: c.get("requestId") }, c.get("log"), slug, product.category.slug);
    // The catalog's stock figure is a snapshot; the page shows what the Inventory objects hold right now.
    const live = await c.env.STOCK.levels(product.variants.map((v) => v.sku)).catch((err: unknown) => {
      c.get("log").warn("live stock unavailable; showing the snapshot", { slug, error: String(err) });
      return {} as Record<string, { available: number }>;
    });
    const variants = product.variants.map((v) => {
      const level = live[v.sku];
      if (level !== undefined) return { ...v, available: level.available };
      c.get("log").warn("live stock unavailable for a variant; showing the snapshot", { sku: v.sku });
      return v;
    });
    c.header("Cache-Control", "no-store");
    return c.json({ ...product, variants, recommendations: (await recommendations).items }, 200);
  })
  .openapi(categoriesRoute, async (c) => {
    const tree = unwrap(await trees.getOrLoad("tree", () => c.env.CATALOG.listCategories({ requestId: c.get("requestId") }), isOk));
    c.header("Cache-Control", PUBLIC_READ);
    return c.json(tree, 200);
  });
