import { and, asc, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { ListProductsRequest, ProductPage, ProductSort } from "../../../../schema/catalog/dto.ts";
import { escapeLike, imageUrl } from "../../../../schema/catalog/dto.ts";
import { fail, ok, type Result } from "../../../shared/src/result.ts";
import { categoryExists, subtreeIds } from "../categories/tree.ts";
import { type CursorKey, decodeCursor, encodeCursor, filterKey } from "../cursor.ts";
import { type CatalogDb, tables } from "../db.ts";

const { products, categories, productImages, variants } = tables;

// Each sort is a keyset over (sort column, id): pages stay stable while products are added, and a page
// costs the same at the millionth product as at the first.
const SORTS = {
  newest: { column: products.createdAt, direction: "desc" },
  price_asc: { column: products.priceMin, direction: "asc" },
  price_desc: { column: products.priceMin, direction: "desc" },
} as const satisfies Record<ProductSort, { column: SQLiteColumn; direction: "asc" | "desc" }>;

function afterKey(sort: ProductSort, [value, id]: CursorKey): SQL {
  const { column, direction } = SORTS[sort];
  return direction === "desc" ? sql`(${column}, ${products.id}) < (${value}, ${id})` : sql`(${column}, ${products.id}) > (${value}, ${id})`;
}

function matchesWords(q: string): SQL[] {
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8)
    .map((word) => {
      const pattern = `%${escapeLike(word)}%`;
      return sql`(${products.title} LIKE ${pattern} ESCAPE '\\' OR ${products.brand} LIKE ${pattern} ESCAPE '\\')`;
    });
}

export async function listProducts(db: CatalogDb, secret: string, query: ListProductsRequest): Promise<Result<ProductPage>> {
  const filter = filterKey(query);
  const conditions: SQL[] = [eq(products.status, "active")];

  // The category's subtree is a subquery, so a filtered page is still one round trip to D1.
  if (query.category !== undefined) conditions.push(inArray(products.categoryId, subtreeIds(query.category)));
  if (query.q !== undefined) conditions.push(...matchesWords(query.q));
  if (query.merchantId !== undefined) conditions.push(eq(products.merchantId, query.merchantId));
  if (query.inStock === true) {
    conditions.push(sql`EXISTS (SELECT 1 FROM ${variants} v WHERE v.product_id = ${products.id} AND v.available > 0)`);
  }
  if (query.cursor !== undefined) {
    const check = await decodeCursor(secret, query.cursor, { sort: query.sort, filter });
    if (!check.ok) return fail(400, `cursor ${check.reason}`, "cursor");
    conditions.push(afterKey(query.sort, check.key));
  }

  const { column, direction } = SORTS[query.sort];
  const order = direction === "desc" ? [desc(column), desc(products.id)] : [asc(column), asc(products.id)];
  const rows = await db
    .select({
      id: products.id,
      slug: products.slug,
      title: products.title,
      brand: products.brand,
      merchantId: products.merchantId,
      priceMin: products.priceMin,
      currency: products.currency,
      createdAt: products.createdAt,
      categoryId: categories.id,
      categorySlug: categories.slug,
      categoryName: categories.name,
      imageKey: productImages.r2Key,
      imageAlt: productImages.alt,
      imageWidth: productImages.width,
      imageHeight: productImages.height,
    })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .leftJoin(productImages, and(eq(productImages.productId, products.id), eq(productImages.position, 0)))
    .where(and(...conditions))
    .orderBy(...order)
    .limit(query.limit + 1);

  // Only an empty page can mean the category does not exist; ask then, not on every request.
  if (rows.length === 0 && query.category !== undefined && !(await categoryExists(db, query.category))) {
    return fail(404, `category '${query.category}' does not exist`, "category");
  }
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last !== undefined
      ? await encodeCursor(secret, {
          v: 1,
          s: query.sort,
          f: filter,
          k: [query.sort === "newest" ? last.createdAt : last.priceMin, last.id],
        })
      : null;

  return ok({
    items: page.map((r) => ({
      id: r.id,
      slug: r.slug,
      title: r.title,
      brand: r.brand,
      merchantId: r.merchantId,
      category: { id: r.categoryId, slug: r.categorySlug, name: r.categoryName },
      price: { amount: r.priceMin, currency: r.currency },
      image:
        r.imageKey === null
          ? null
          : { url: imageUrl(r.imageKey), alt: r.imageAlt ?? "", width: r.imageWidth ?? 0, height: r.imageHeight ?? 0 },
      createdAt: new Date(r.createdAt).toISOString(),
    })),
    nextCursor,
  });
}
