import { z } from "zod";

export const REVIEW_STATUSES = ["published", "hidden"] as const;

export const ReviewInput = z
  .object({
    rating: z
      .number({ error: "rating is a whole number from 1 to 5" })
      .int("rating is a whole number from 1 to 5")
      .min(1, "rating is a whole number from 1 to 5")
      .max(5, "rating is a whole number from 1 to 5"),
    title: z.string({ error: "title is required" }).trim().min(1, "title must not be empty").max(120, "title is at most 120 characters"),
    body: z.string({ error: "body is required" }).trim().min(1, "body must not be empty").max(4000, "body is at most 4000 characters"),
  })
  .strict()
  .meta({ id: "ReviewInput" });
export type ReviewInput = z.infer<typeof ReviewInput>;

export const Rating = z
  .object({ average: z.number().describe("1 decimal; 0 when unrated"), count: z.number().int() })
  .meta({ id: "Rating" });
export type Rating = z.infer<typeof Rating>;
export const ratingOf = (sum: number, count: number): Rating => ({ average: count === 0 ? 0 : Math.round((sum / count) * 10) / 10, count });

export const Review = z
  .object({
    id: z.string(),
    rating: z.number().int(),
    title: z.string().describe("Plain text as written: escape it when putting it in HTML"),
    body: z.string().describe("Plain text as written: escape it when putting it in HTML"),
    author: z.string(),
    verifiedPurchase: z.literal(true),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Review" });
export type Review = z.infer<typeof Review>;

export const ReviewPage = z.object({ rating: Rating, items: z.array(Review) }).meta({ id: "ReviewPage" });
export type ReviewPage = z.infer<typeof ReviewPage>;

export const AdminReview = Review.extend({
  status: z.enum(REVIEW_STATUSES),
  productId: z.string(),
  productSlug: z.string(),
  productTitle: z.string(),
}).meta({ id: "AdminReview" });
export type AdminReview = z.infer<typeof AdminReview>;
export const AdminReviewList = z.object({ items: z.array(AdminReview) }).meta({ id: "AdminReviewList" });

export const ReviewModeration = z
  .object({ id: z.string().min(1).max(64), status: z.enum(REVIEW_STATUSES, { error: 'status is "published" or "hidden"' }) })
  .strict()
  .meta({ id: "ReviewModeration" });

/** What the storefront passes with a review: who wrote it and the delivered order that entitles them. */
export const ReviewAuthor = z.object({
  userId: z.string().min(1).max(64),
  name: z.string().min(1).max(120),
  orderId: z.string().min(1).max(64),
});
export type ReviewAuthor = z.infer<typeof ReviewAuthor>;
