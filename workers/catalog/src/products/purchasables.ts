import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Purchasable } from "#schema/catalog/dto.ts";
import { type CatalogDb, tables } from "../db.ts";

const { products, variants, categories } = tables;

/** Price and buyability of each SKU asked for; SKUs the catalog does not know are simply absent. */
export async function purchasables(db: CatalogDb, skus: string[]): Promise<Record<string, Purchasable>> {
  const rows = await db
    .select({
      sku: variants.sku,
      variantTitle: variants.title,
      priceAmount: variants.priceAmount,
      currency: variants.currency,
      archivedAt: variants.archivedAt,
      productId: products.id,
      productSlug: products.slug,
      productTitle: products.title,
      status: products.status,
      flashSale: products.flashSale,
      merchantId: products.merchantId,
      categoryPath: categories.path,
      variantCount: db.$count(variants, and(eq(variants.productId, products.id), isNull(variants.archivedAt))),
    })
    .from(variants)
    .innerJoin(products, eq(products.id, variants.productId))
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .where(inArray(variants.sku, skus));
  return Object.fromEntries(
    rows.map((r) => [
      r.sku,
      {
        sku: r.sku,
        productId: r.productId,
        productSlug: r.productSlug,
        title: r.variantCount > 1 ? `${r.productTitle} — ${r.variantTitle}` : r.productTitle,
        price: { amount: r.priceAmount, currency: r.currency },
        // A variant removed from its product (archived) is never for sale again.
        purchasable: r.status === "active" && r.archivedAt === null,
        flashSale: r.flashSale,
        merchantId: r.merchantId,
        // The path is "/electronics/phones/": its first slug is the department (warranty plans go by it).
        department: r.categoryPath.split("/")[1] ?? "",
      },
    ]),
  );
}
