import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { ProductDetail } from "#schema/catalog/dto.ts";
import { imageUrl } from "#schema/catalog/dto.ts";
import { ratingOf } from "#schema/catalog/review-dto.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { type CatalogDb, tables } from "../db.ts";

const { products, categories, variants, productAttributes, productImages } = tables;

export async function productBySlug(db: CatalogDb, slug: string): Promise<Result<ProductDetail>> {
  // Everything keyed by the slug through subqueries, in one batch: one round trip to D1.
  const productId = sql`(SELECT ${products.id} FROM ${products} WHERE ${products.slug} = ${slug})`;
  const [rows, variantRows, attributeRows, imageRows, ancestors] = await db.batch([
    // In a batch, rows come back keyed by SQL column name, so the two tables' `id`/`slug`/`name` would
    // collide: the category's columns get SQL aliases of their own.
    db
      .select({
        id: products.id,
        slug: products.slug,
        title: products.title,
        description: products.description,
        brand: products.brand,
        merchantId: products.merchantId,
        status: products.status,
        ratingSum: products.ratingSum,
        ratingCount: products.ratingCount,
        createdAt: products.createdAt,
        updatedAt: products.updatedAt,
        categoryId: sql<string>`${categories.id}`.as("category_id_"),
        categorySlug: sql<string>`${categories.slug}`.as("category_slug_"),
        categoryName: sql<string>`${categories.name}`.as("category_name_"),
      })
      .from(products)
      .innerJoin(categories, eq(categories.id, products.categoryId))
      .where(eq(products.slug, slug))
      .limit(1),
    db
      .select()
      .from(variants)
      .where(and(eq(variants.productId, productId), isNull(variants.archivedAt)))
      .orderBy(asc(variants.position)),
    db.select().from(productAttributes).where(eq(productAttributes.productId, productId)).orderBy(asc(productAttributes.position)),
    db.select().from(productImages).where(eq(productImages.productId, productId)).orderBy(asc(productImages.position)),
    // The product's category and those above it: every category whose path starts the product's.
    db
      .select({ id: categories.id, slug: categories.slug, name: categories.name, path: categories.path })
      .from(categories)
      .where(
        sql`(SELECT pc.path FROM ${products} p JOIN ${categories} pc ON pc.id = p.category_id WHERE p.slug = ${slug}) LIKE ${categories.path} || '%'`,
      )
      .orderBy(asc(categories.path)),
  ]);
  const product = rows[0];
  if (product === undefined || product.status !== "active") return fail(404, `no product with slug '${slug}'`);

  return ok({
    id: product.id,
    slug: product.slug,
    title: product.title,
    description: product.description,
    brand: product.brand,
    merchantId: product.merchantId,
    category: {
      id: product.categoryId,
      slug: product.categorySlug,
      name: product.categoryName,
      path: ancestors.map(({ id, slug, name }) => ({ id, slug, name })),
    },
    attributes: Object.fromEntries(attributeRows.map((a) => [a.name, a.value])),
    rating: ratingOf(product.ratingSum, product.ratingCount),
    images: imageRows.map((i) => ({ url: imageUrl(i.r2Key), alt: i.alt, width: i.width, height: i.height })),
    variants: variantRows.map((v) => ({
      sku: v.sku,
      title: v.title,
      options: v.options,
      price: { amount: v.priceAmount, currency: v.currency },
      available: Math.max(0, v.available),
    })),
    createdAt: new Date(product.createdAt).toISOString(),
    updatedAt: new Date(product.updatedAt).toISOString(),
  });
}
