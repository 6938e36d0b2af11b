import { createRoute, z } from "@hono/zod-openapi";
import { ProductSummary, Slug } from "#schema/catalog/dto.ts";
import { Review, ReviewInput, ReviewPage } from "#schema/catalog/review-dto.ts";
import { callerGuard, callerOf } from "#shared/auth.ts";
import { createRouter } from "#shared/edge-app.ts";
import { ProblemError } from "#shared/problem.ts";
import { perClientLimit } from "#shared/rate-limit.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { recommendationsList, trendingCards } from "../recommendations.ts";

const signedIn = callerGuard<StorefrontEnv>({ keys: (env) => env.IDENTITY.verificationKeys() });
const reviewLimit = perClientLimit<StorefrontEnv>({ what: "reviews", limiter: (env) => env.LIMIT_REVIEWS });
const slugParam = z.object({ slug: Slug.describe("The product's slug") });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const routes = {
  list: createRoute({
    method: "get",
    path: "/v1/products/{slug}/reviews",
    summary: "Published reviews of a product (newest first) with its rating",
    request: { params: slugParam, query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(20) }) },
    responses: { 200: json(ReviewPage, "Reviews"), 400: problemDoc("Bad input"), 404: problemDoc("No such product") },
  }),
  create: guarded(
    createRoute({
      method: "post",
      path: "/v1/products/{slug}/reviews",
      summary: "Review a product you bought and received (one review per product)",
      request: { params: slugParam, body: { required: true, content: { "application/json": { schema: ReviewInput } } } },
      responses: {
        201: json(Review, "The review, published"),
        400: problemDoc("Bad input, naming the field"),
        403: problemDoc("No delivered order of yours has this product"),
        404: problemDoc("No such product"),
        409: problemDoc("You have reviewed it already"),
      },
    }),
    signedIn,
    reviewLimit,
  ),
  recommendations: createRoute({
    method: "get",
    path: "/v1/recommendations",
    summary: "Product cards: bought together with a product (filled up with its category's best-sellers), or trending",
    request: {
      query: z.object({
        for: z.union([z.literal("trending"), Slug]).describe("A product's slug, or `trending`"),
        limit: z.coerce.number().int().min(1).max(24).default(8),
      }),
    },
    responses: {
      200: json(z.object({ items: z.array(ProductSummary) }).meta({ id: "Recommendations" }), "Product cards"),
      400: problemDoc("Bad input"),
      404: problemDoc("No such product"),
    },
  }),
};

export const insightRoutes = createRouter<StorefrontEnv>()
  .openapi(routes.list, async (c) => {
    c.header("Cache-Control", "public, max-age=4");
    const { slug } = c.req.valid("param");
    return c.json(unwrap(await c.env.CATALOG.productReviews(slug, c.req.valid("query").limit, { requestId: c.get("requestId") })), 200);
  })
  .openapi(routes.create, async (c) => {
    const { slug } = c.req.valid("param");
    const call = { requestId: c.get("requestId") };
    const caller = callerOf(c);
    // A verified purchase: a delivered order of this buyer has the product. Delivery never goes back, so
    // checking it first and writing the review next cannot let in anyone who was not entitled.
    const [bought, me] = await Promise.all([
      c.env.ORDERS.deliveredOrderWith(caller.userId, slug, call),
      c.env.IDENTITY.me(caller.userId, call),
    ]);
    const orderId = unwrap(bought);
    if (orderId === null) throw new ProblemError(403, "only a buyer whose order with this product was delivered may review it");
    const user = unwrap(me);
    const review = unwrap(
      await c.env.CATALOG.createReview(slug, { userId: caller.userId, name: user.name ?? "A shopper", orderId }, c.req.valid("json"), call),
    );
    return c.json(review, 201);
  })
  .openapi(routes.recommendations, async (c) => {
    const { for: target, limit } = c.req.valid("query");
    const call = { requestId: c.get("requestId") };
    c.header("Cache-Control", "public, max-age=30");
    if (target === "trending") return c.json({ items: await trendingCards(c.env, call, limit) }, 200);
    const product = unwrap(await c.env.CATALOG.getProduct(target, call));
    return c.json({ items: await recommendationsList(c.env, call, product.slug, product.category.slug, limit) }, 200);
  });
