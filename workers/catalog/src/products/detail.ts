import { asc, eq, inArray } from "drizzle-orm";
import type { ProductDetail } from "../../../../schema/catalog/dto.ts";
import { imageUrl } from "../../../../schema/catalog/dto.ts";
import { fail, ok, type Result } from "../../../shared/src/result.ts";
import { type CatalogDb, tables } from "../db.ts";

const { products, categories, variants, productAttributes, productImages } = tables;

export async function productBySlug(db: CatalogDb, slug: string): Promise<Result<ProductDetail>> {
  const [row] = await db
    .select({ product: products, category: categories })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .where(eq(products.slug, slug))
    .limit(1);
  if (row === undefined || row.product.status !== "active") return fail(404, `no product with slug '${slug}'`);
  const { product, category } = row;
  const ancestorSlugs = category.path.split("/").filter(Boolean);

  // One more round trip for everything that hangs off the product.
  const [variantRows, attributeRows, imageRows, ancestors] = await db.batch([
    db.select().from(variants).where(eq(variants.productId, product.id)).orderBy(asc(variants.position)),
    db.select().from(productAttributes).where(eq(productAttributes.productId, product.id)).orderBy(asc(productAttributes.position)),
    db.select().from(productImages).where(eq(productImages.productId, product.id)).orderBy(asc(productImages.position)),
    db
      .select({ id: categories.id, slug: categories.slug, name: categories.name })
      .from(categories)
      .where(inArray(categories.slug, ancestorSlugs)),
  ]);
  const bySlug = new Map(ancestors.map((c) => [c.slug, c]));
  const path = ancestorSlugs.flatMap((s) => bySlug.get(s) ?? []);

  return ok({
    id: product.id,
    slug: product.slug,
    title: product.title,
    description: product.description,
    brand: product.brand,
    merchantId: product.merchantId,
    category: { id: category.id, slug: category.slug, name: category.name, path },
    attributes: Object.fromEntries(attributeRows.map((a) => [a.name, a.value])),
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
