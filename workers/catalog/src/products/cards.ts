import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { ProductSummary } from "#schema/catalog/dto.ts";
import { type CatalogDb, tables } from "../db.ts";
import { summaryOf } from "./summary.ts";

const { products, categories, productImages, variants } = tables;

/** The cards query, apart so a test can ask SQLite how it will run it. */
export function cardsQuery(db: CatalogDb, slugs: string[]) {
  return db
    .select({
      product: products,
      categorySlug: sql<string>`${categories.slug}`.as("category_slug_"),
      categoryName: sql<string>`${categories.name}`.as("category_name_"),
      imageKey: productImages.r2Key,
      imageAlt: productImages.alt,
      imageWidth: productImages.width,
      imageHeight: productImages.height,
    })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .leftJoin(productImages, and(eq(productImages.productId, products.id), eq(productImages.position, 0)))
    .where(
      and(
        inArray(products.slug, slugs),
        // Unary + keeps SQLite off the (status, …) indexes: with them the planner walked every active product
        // (160 ms at 100,000 products) instead of looking the few slugs up by their unique index (0.5 ms).
        sql`+${products.status} = 'active'`,
        sql`EXISTS (SELECT 1 FROM ${variants} v WHERE v.product_id = ${products.id} AND ${gt(sql`v.available`, 0)})`,
      ),
    );
}

/**
 * Product cards for recommendations, by slug: only active products with stock (by the snapshot), so a
 * recommendation never leads to a product that cannot be bought. Slugs not answered are simply absent.
 */
export async function productCards(db: CatalogDb, slugs: string[]): Promise<Record<string, ProductSummary>> {
  const rows = await cardsQuery(db, slugs);
  return Object.fromEntries(rows.map(({ product, ...r }) => [product.slug, summaryOf({ ...product, ...r })]));
}
