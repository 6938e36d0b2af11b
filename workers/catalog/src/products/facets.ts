import { type SQL, sql } from "drizzle-orm";
import type { Facets } from "#schema/catalog/dto.ts";
import { type CatalogDb, tables } from "../db.ts";
import { type Filters, inStockSql, ratingAtLeast, whereAll } from "./filters.ts";

const { products, productAttributes } = tables;

// Price bands in minor units (the shop's currency): [min, max).
const BANDS: readonly [number, number | null][] = [
  [0, 2500],
  [2500, 5000],
  [5000, 10000],
  [10000, 25000],
  [25000, 50000],
  [50000, null],
];
const RATINGS = [4, 3, 2, 1] as const;
const MAX_BRANDS = 30;
const MAX_ATTRIBUTE_KEYS = 10;
const MAX_VALUES_PER_KEY = 20;

const bandOf = (): SQL =>
  sql.join(
    [
      sql`CASE`,
      ...BANDS.map(([min, max], i) =>
        max === null ? sql`WHEN ${products.priceMin} >= ${min} THEN ${i}` : sql`WHEN ${products.priceMin} < ${max} THEN ${i}`,
      ),
      sql`END`,
    ],
    sql` `,
  );

/**
 * Facet counts over the whole filtered result, each facet counted with every filter except its own (so a chosen
 * brand does not hide the others' counts). A handful of aggregate queries, run together; none reads a page.
 */
export async function countFacets(db: CatalogDb, f: Filters): Promise<Facets> {
  // An attribute value counts for a product that passes every filter except that attribute's own.
  const attributeScope = [...f.attributes.entries()].map(([key, part]) => sql`(a.name = ${key} OR ${part})`);
  const [brands, bands, ratings, stock, attributes] = await Promise.all([
    db.all<{ value: string; count: number }>(
      sql`SELECT ${products.brand} AS value, COUNT(*) AS count FROM ${products} WHERE ${whereAll(f, "brand")}
          GROUP BY ${products.brand} ORDER BY count DESC, value LIMIT ${MAX_BRANDS}`,
    ),
    db.all<{ band: number; count: number }>(
      sql`SELECT ${bandOf()} AS band, COUNT(*) AS count FROM ${products} WHERE ${whereAll(f, "price")} GROUP BY band`,
    ),
    db.all<Record<string, number | null>>(
      sql`SELECT ${sql.join(
        RATINGS.map((n) => sql`SUM(CASE WHEN ${ratingAtLeast(n)} THEN 1 ELSE 0 END) AS ${sql.raw(`r${n}`)}`),
        sql`, `,
      )} FROM ${products} WHERE ${whereAll(f, "rating")}`,
    ),
    db.all<{ count: number }>(sql`SELECT COUNT(*) AS count FROM ${products} WHERE ${whereAll(f, "inStock")} AND ${inStockSql()}`),
    db.all<{ name: string; value: string; count: number }>(
      sql`SELECT a.name AS name, a.value AS value, COUNT(*) AS count FROM ${productAttributes} a
          JOIN ${products} ON ${products.id} = a.product_id
          WHERE ${whereAll(f, "attributes")} ${attributeScope.length > 0 ? sql`AND ${sql.join(attributeScope, sql` AND `)}` : sql``}
          GROUP BY a.name, a.value ORDER BY count DESC, a.name, a.value LIMIT 2000`,
    ),
  ]);
  const byKey = new Map<string, { value: string; count: number }[]>();
  for (const row of attributes) {
    const values = byKey.get(row.name) ?? [];
    if (values.length < MAX_VALUES_PER_KEY) values.push({ value: row.value, count: row.count });
    byKey.set(row.name, values);
  }
  // The keys most products have come first; a key on a handful of products is noise in a facet list.
  const keys = [...byKey.entries()]
    .sort(([ka, a], [kb, b]) => b.reduce((s, v) => s + v.count, 0) - a.reduce((s, v) => s + v.count, 0) || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .slice(0, MAX_ATTRIBUTE_KEYS);
  const ratingRow = ratings[0] ?? {};
  return {
    brand: brands.map((b) => ({ value: b.value, count: b.count })),
    priceBand: BANDS.map(([min, max], i) => ({
      value: max === null ? `${min}+` : `${min}-${max}`,
      min,
      max,
      count: bands.find((b) => b.band === i)?.count ?? 0,
    })),
    rating: RATINGS.map((n) => ({ value: String(n), count: Number(ratingRow[`r${n}`] ?? 0) })),
    attributes: Object.fromEntries(keys),
    inStock: { value: "true", count: stock[0]?.count ?? 0 },
  };
}
