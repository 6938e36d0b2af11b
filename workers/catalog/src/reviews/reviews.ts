import { and, desc, eq, sql } from "drizzle-orm";
import {
  type AdminReview,
  type Review,
  type ReviewAuthor,
  type ReviewInput,
  type ReviewPage,
  ratingOf,
} from "#schema/catalog/review-dto.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { owns, type Scope } from "../admin/read.ts";
import { type CatalogDb, tables } from "../db.ts";

const { products, reviews } = tables;

// Reviews live with the products they rate: the product's rating (sum and count of published reviews) changes in
// the same transaction as the review, so listings, the product page and the rating facet never disagree with it.

// "Ada Lovelace" shows as "Ada L.": enough to be a person, not enough to find them.
export const displayName = (name: string): string => {
  const [first, ...rest] = name.trim().split(/\s+/);
  const last = rest.at(-1);
  return `${first ?? "A shopper"}${last === undefined ? "" : ` ${last.slice(0, 1).toUpperCase()}.`}`;
};

const view = (r: typeof reviews.$inferSelect): Review => ({
  id: r.id,
  rating: r.rating,
  title: r.title,
  body: r.body,
  author: r.author,
  verifiedPurchase: true,
  createdAt: new Date(r.createdAt).toISOString(),
});

export async function createReview(db: CatalogDb, slug: string, author: ReviewAuthor, input: ReviewInput): Promise<Result<Review>> {
  const [product] = await db.select({ id: products.id, status: products.status }).from(products).where(eq(products.slug, slug)).limit(1);
  if (product === undefined || product.status === "archived") return fail(404, `no product with slug '${slug}'`);
  const now = Date.now();
  const row = {
    id: `rev_${crypto.randomUUID().replaceAll("-", "")}`,
    productId: product.id,
    userId: author.userId,
    author: displayName(author.name),
    orderId: author.orderId,
    rating: input.rating,
    title: input.title,
    body: input.body,
    status: "published" as const,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.batch([
      db.insert(reviews).values(row),
      db
        .update(products)
        .set({ ratingSum: sql`${products.ratingSum} + ${input.rating}`, ratingCount: sql`${products.ratingCount} + 1` })
        .where(eq(products.id, product.id)),
    ]);
  } catch (err) {
    if (String(err).includes("UNIQUE")) return fail(409, "you have reviewed this product already");
    throw err;
  }
  return ok(view(row));
}

export async function publishedReviews(db: CatalogDb, slug: string, limit: number): Promise<Result<ReviewPage>> {
  const [product] = await db
    .select({ id: products.id, status: products.status, ratingSum: products.ratingSum, ratingCount: products.ratingCount })
    .from(products)
    .where(eq(products.slug, slug))
    .limit(1);
  if (product === undefined || product.status !== "active") return fail(404, `no product with slug '${slug}'`);
  const rows = await db
    .select()
    .from(reviews)
    .where(and(eq(reviews.productId, product.id), eq(reviews.status, "published")))
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(limit);
  return ok({ rating: ratingOf(product.ratingSum, product.ratingCount), items: rows.map(view) });
}

export async function merchantReviews(db: CatalogDb, scope: Scope, status: "published" | "hidden" | undefined): Promise<AdminReview[]> {
  const where = [
    ...(scope === null ? [] : [eq(products.merchantId, scope)]),
    ...(status === undefined ? [] : [eq(reviews.status, status)]),
  ];
  const rows = await db
    .select({ review: reviews, slug: products.slug, title: products.title })
    .from(reviews)
    .innerJoin(products, eq(products.id, reviews.productId))
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(200);
  return rows.map((r) => ({
    ...view(r.review),
    status: r.review.status,
    productId: r.review.productId,
    productSlug: r.slug,
    productTitle: r.title,
  }));
}

/**
 * Publishes or hides a review. The rating moves only when the status does, and in the same transaction: the
 * product's update is conditioned on the review's current status, read inside that transaction.
 */
export async function moderateReview(
  db: CatalogDb,
  scope: Scope,
  id: string,
  status: "published" | "hidden",
): Promise<Result<AdminReview>> {
  const [found] = await db
    .select({ review: reviews, merchantId: products.merchantId })
    .from(reviews)
    .innerJoin(products, eq(products.id, reviews.productId))
    .where(eq(reviews.id, id))
    .limit(1);
  if (found === undefined || !owns(scope, found.merchantId)) return fail(404, `no review ${id}`);
  const sign = status === "published" ? 1 : -1;
  const changing = sql`(SELECT status FROM ${reviews} WHERE id = ${id}) <> ${status}`;
  await db.batch([
    db
      .update(products)
      .set({
        ratingSum: sql`${products.ratingSum} + ${sign} * (SELECT rating FROM ${reviews} WHERE id = ${id})`,
        ratingCount: sql`${products.ratingCount} + ${sign}`,
      })
      .where(and(eq(products.id, found.review.productId), changing)),
    db.update(reviews).set({ status, updatedAt: Date.now() }).where(eq(reviews.id, id)),
  ]);
  const [after] = await merchantReviewById(db, id);
  return after === undefined ? fail(404, `no review ${id}`) : ok(after);
}

async function merchantReviewById(db: CatalogDb, id: string): Promise<AdminReview[]> {
  const rows = await db
    .select({ review: reviews, slug: products.slug, title: products.title })
    .from(reviews)
    .innerJoin(products, eq(products.id, reviews.productId))
    .where(eq(reviews.id, id))
    .limit(1);
  return rows.map((r) => ({
    ...view(r.review),
    status: r.review.status,
    productId: r.review.productId,
    productSlug: r.slug,
    productTitle: r.title,
  }));
}
