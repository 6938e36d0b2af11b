import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { ListProductsRequest, ProductPage, ProductSort } from "#schema/catalog/dto.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { categoryExists } from "../categories/tree.ts";
import { type CursorKey, decodeCursor, encodeCursor, filterKey } from "../cursor.ts";
import { type CatalogDb, tables } from "../db.ts";
import { countFacets } from "./facets.ts";
import { ftsQuery, ftsRanked, listingFilters, whereAll } from "./filters.ts";
import { summaryOf } from "./summary.ts";

const { products, categories, productImages } = tables;

// Each sort is a keyset over (sort column, id): pages stay stable while products are added, and a page
// costs the same at the millionth product as at the first.
// Relevance is a keyset over (bm25 score, id): the score of the search joined in as `ranked.score`.
const SCORE = sql`ranked.score`;
const SORTS = {
  newest: { column: products.createdAt, direction: "desc" },
  price_asc: { column: products.priceMin, direction: "asc" },
  price_desc: { column: products.priceMin, direction: "desc" },
  relevance: { column: SCORE, direction: "asc" },
} as const satisfies Record<ProductSort, { column: SQLiteColumn | SQL; direction: "asc" | "desc" }>;

function afterKey(sort: ProductSort, [value, id]: CursorKey): SQL {
  const { column, direction } = SORTS[sort];
  return direction === "desc" ? sql`(${column}, ${products.id}) < (${value}, ${id})` : sql`(${column}, ${products.id}) > (${value}, ${id})`;
}

export async function listProducts(db: CatalogDb, secret: string, query: ListProductsRequest): Promise<Result<ProductPage>> {
  const filter = filterKey(query);
  const searching = query.q !== undefined && ftsQuery(query.q) !== "";
  const sort: ProductSort = query.sort ?? (searching ? "relevance" : "newest");
  if (sort === "relevance" && !searching) return fail(400, "sort=relevance ranks a search: send q with it", "sort");
  if (query.priceMin !== undefined && query.priceMax !== undefined && query.priceMin > query.priceMax) {
    return fail(400, "priceMin is above priceMax", "priceMin");
  }
  const filters = listingFilters(query);
  const conditions: SQL[] = [whereAll(filters)];
  if (query.cursor !== undefined) {
    const check = await decodeCursor(secret, query.cursor, { sort, filter });
    if (!check.ok) return fail(400, `cursor ${check.reason}`, "cursor");
    conditions.push(afterKey(sort, check.key));
  }
  const facets = query.facets === true ? countFacets(db, filters) : undefined;

  const { column, direction } = SORTS[sort];
  const order = direction === "desc" ? [desc(column), desc(products.id)] : [asc(column), asc(products.id)];
  const select = db
    .select({
      id: products.id,
      slug: products.slug,
      title: products.title,
      brand: products.brand,
      merchantId: products.merchantId,
      priceMin: products.priceMin,
      currency: products.currency,
      ratingSum: products.ratingSum,
      ratingCount: products.ratingCount,
      createdAt: products.createdAt,
      categoryId: categories.id,
      categorySlug: categories.slug,
      categoryName: categories.name,
      imageKey: productImages.r2Key,
      imageAlt: productImages.alt,
      imageWidth: productImages.width,
      imageHeight: productImages.height,
      score: sort === "relevance" ? sql<number>`${SCORE}` : sql<number>`0`,
    })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .leftJoin(productImages, and(eq(productImages.productId, products.id), eq(productImages.position, 0)))
    .$dynamic();
  // A search ranked by relevance joins its matches with their scores (computed once, in the FTS query).
  const ranked =
    sort === "relevance"
      ? select.innerJoin(sql`(${ftsRanked(query.q ?? "")}) AS ranked`, sql`ranked.fts_rowid = ${products}.rowid`)
      : select;
  const rows = await ranked
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
          s: sort,
          f: filter,
          k: [sort === "newest" ? last.createdAt : sort === "relevance" ? last.score : last.priceMin, last.id],
        })
      : null;

  return ok({
    items: page.map(summaryOf),
    nextCursor,
    ...(facets === undefined ? {} : { facets: await facets }),
  });
}
