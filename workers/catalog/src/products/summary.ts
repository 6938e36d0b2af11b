import type { ImageRef, ProductSummary } from "#schema/catalog/dto.ts";
import { imageUrl } from "#schema/catalog/dto.ts";
import { ratingOf } from "#schema/catalog/review-dto.ts";

/** A product's main picture as listings select it (left-joined: null columns when it has none). */
export type ImageColumns = { imageKey: string | null; imageAlt: string | null; imageWidth: number | null; imageHeight: number | null };

export const mainImage = (r: ImageColumns): ImageRef | null =>
  r.imageKey === null ? null : { url: imageUrl(r.imageKey), alt: r.imageAlt ?? "", width: r.imageWidth ?? 0, height: r.imageHeight ?? 0 };

export type SummaryRow = ImageColumns & {
  id: string;
  slug: string;
  title: string;
  brand: string;
  merchantId: string;
  categoryId: string;
  categorySlug: string;
  categoryName: string;
  priceMin: number;
  currency: string;
  ratingSum: number;
  ratingCount: number;
  createdAt: number;
};

/** One product card, the same in listings, searches and recommendations. */
export const summaryOf = (r: SummaryRow): ProductSummary => ({
  id: r.id,
  slug: r.slug,
  title: r.title,
  brand: r.brand,
  merchantId: r.merchantId,
  category: { id: r.categoryId, slug: r.categorySlug, name: r.categoryName },
  price: { amount: r.priceMin, currency: r.currency },
  rating: ratingOf(r.ratingSum, r.ratingCount),
  image: mainImage(r),
  createdAt: new Date(r.createdAt).toISOString(),
});
