import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { ListProductsRequest } from "#schema/catalog/dto.ts";
import { subtreeIds } from "../categories/tree.ts";
import { tables } from "../db.ts";

const { products, variants, productAttributes } = tables;

/**
 * `q` as an FTS5 query: every word must match (AND), each as a prefix, taken literally (quotes doubled), so no
 * input is FTS syntax. Accents are folded by the index's tokenizer, so "creme" finds "Crème".
 */
export function ftsQuery(q: string): string {
  return q
    .split(/\s+/)
    .map((w) => w.replaceAll('"', '""'))
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, 8)
    .map((w) => `"${w}"*`)
    .join(" ");
}

/** The products whose index row matches `q`, ranked: bm25 with title weighted over brand, attributes, description. */
export const ftsRanked = (q: string): SQL =>
  sql`SELECT rowid AS fts_rowid, bm25(products_fts, 10.0, 5.0, 1.0, 2.0) AS score FROM products_fts WHERE products_fts MATCH ${ftsQuery(q)}`;

/** Every filter of a listing, by name, so facets can count with all filters but their own. */
export type Filters = {
  base: SQL[];
  brand?: SQL;
  price?: SQL;
  rating?: SQL;
  inStock?: SQL;
  attributes: Map<string, SQL>;
};

export const inStockSql = (): SQL => sql`EXISTS (SELECT 1 FROM ${variants} v WHERE v.product_id = ${products.id} AND v.available > 0)`;
export const ratingAtLeast = (n: number): SQL =>
  sql`(${products.ratingCount} > 0 AND ${products.ratingSum} >= ${n} * ${products.ratingCount})`;

export function attributeSql(key: string, values: string[]): SQL {
  return sql`EXISTS (SELECT 1 FROM ${productAttributes} a WHERE a.product_id = ${products.id} AND a.name = ${key} AND a.value IN (${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}))`;
}

export function listingFilters(query: ListProductsRequest): Filters {
  const base: SQL[] = [eq(products.status, "active")];
  // The category's subtree is a subquery, so a filtered page is still one round trip to D1.
  if (query.category !== undefined) base.push(inArray(products.categoryId, subtreeIds(query.category)));
  if (query.q !== undefined) {
    const match = ftsQuery(query.q);
    // A q with no word in it (only punctuation) matches nothing, not everything.
    base.push(match === "" ? sql`0` : sql`${products}.rowid IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ${match})`);
  }
  if (query.merchantId !== undefined) base.push(eq(products.merchantId, query.merchantId));
  const filters: Filters = { base, attributes: new Map() };
  if (query.brand !== undefined && query.brand.length > 0) filters.brand = inArray(products.brand, query.brand);
  const price: SQL[] = [];
  if (query.priceMin !== undefined) price.push(sql`${products.priceMin} >= ${query.priceMin}`);
  if (query.priceMax !== undefined) price.push(sql`${products.priceMin} <= ${query.priceMax}`);
  if (price.length > 0) filters.price = and(...price) as SQL;
  if (query.ratingMin !== undefined) filters.rating = ratingAtLeast(query.ratingMin);
  if (query.inStock === true) filters.inStock = inStockSql();
  for (const [key, values] of Object.entries(query.attributes ?? {})) filters.attributes.set(key, attributeSql(key, values));
  return filters;
}

type FacetName = "brand" | "price" | "rating" | "inStock" | "attributes";

/** All filters as one condition, leaving out `without` (a facet's own) when counting that facet. */
export function whereAll(f: Filters, without?: FacetName): SQL {
  const parts = [...f.base];
  for (const name of ["brand", "price", "rating", "inStock"] as const) {
    const part = f[name];
    if (part !== undefined && without !== name) parts.push(part);
  }
  if (without !== "attributes") parts.push(...f.attributes.values());
  return and(...parts) as SQL;
}
