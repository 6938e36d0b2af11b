import { and, asc, desc, eq, inArray, isNull, ne, type SQL, sql } from "drizzle-orm";
import {
  type AdminListRequest,
  type AdminProduct,
  type AdminProductPage,
  IMAGE_KEY_PREFIX,
  type SkuOwner,
} from "#schema/catalog/admin-dto.ts";
import { imageUrl } from "#schema/catalog/dto.ts";
import { fromBase64Url, toBase64Url } from "#shared/crypto.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { type CatalogDb, tables } from "../db.ts";
import { ftsQuery } from "../products/filters.ts";
import { mainImage } from "../products/summary.ts";

const { products, categories, variants, productAttributes, productImages } = tables;

/** Whose records a call may touch: one merchant's, or (a platform admin) every merchant's: null. */
export type Scope = string | null;

export const notFound = (id: string) => fail<never>(404, `no product with id '${id}'`);
export const owns = (scope: Scope, merchantId: string): boolean => scope === null || scope === merchantId;

/** One product as its merchant edits it, drafts and archived ones included; another merchant's is a 404. */
export async function adminProduct(db: CatalogDb, scope: Scope, id: string): Promise<Result<AdminProduct>> {
  const [rows, variantRows, attributeRows, imageRows] = await db.batch([
    db
      .select({
        product: products,
        categorySlug: sql<string>`${categories.slug}`.as("category_slug_"),
        categoryName: sql<string>`${categories.name}`.as("category_name_"),
      })
      .from(products)
      .innerJoin(categories, eq(categories.id, products.categoryId))
      .where(eq(products.id, id))
      .limit(1),
    db.select().from(variants).where(eq(variants.productId, id)).orderBy(asc(variants.position)),
    db.select().from(productAttributes).where(eq(productAttributes.productId, id)).orderBy(asc(productAttributes.position)),
    db.select().from(productImages).where(eq(productImages.productId, id)).orderBy(asc(productImages.position), asc(productImages.id)),
  ]);
  const row = rows[0];
  if (row === undefined || !owns(scope, row.product.merchantId)) return notFound(id);
  const p = row.product;
  const live = variantRows.filter((v) => v.archivedAt === null);
  return ok({
    id: p.id,
    slug: p.slug,
    merchantId: p.merchantId,
    title: p.title,
    description: p.description,
    brand: p.brand,
    category: { id: p.categoryId, slug: row.categorySlug, name: row.categoryName },
    status: p.status,
    flashSale: p.flashSale,
    attributes: Object.fromEntries(attributeRows.map((a) => [a.name, a.value])),
    variants: live.map((v) => ({
      sku: v.sku,
      title: v.title,
      price: { amount: v.priceAmount, currency: v.currency },
      attributes: v.options,
    })),
    archivedVariants: variantRows.flatMap((v) =>
      v.archivedAt === null ? [] : [{ sku: v.sku, title: v.title, archivedAt: new Date(v.archivedAt).toISOString() }],
    ),
    images: imageRows.map((i) => ({
      key: i.r2Key.slice(IMAGE_KEY_PREFIX.length),
      url: imageUrl(i.r2Key),
      alt: i.alt,
      width: i.width,
      height: i.height,
      contentType: i.contentType,
      bytes: i.bytes,
      position: i.position,
    })),
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
  });
}

// The admin list pages newest-edited first; its cursor is the last row's (updatedAt, id). It needs no signature:
// the merchant condition is in the query itself, so a forged cursor can only skip rows of one's own.
const encodeCursor = (updatedAt: number, id: string) => toBase64Url(new TextEncoder().encode(JSON.stringify([updatedAt, id])));
function decodeCursor(cursor: string): [number, string] | null {
  const bytes = fromBase64Url(cursor);
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return Array.isArray(value) && typeof value[0] === "number" && typeof value[1] === "string" ? [value[0], value[1]] : null;
  } catch {
    return null;
  }
}

export async function adminList(db: CatalogDb, scope: Scope, query: AdminListRequest): Promise<Result<AdminProductPage>> {
  const where: SQL[] = [];
  if (scope !== null) where.push(eq(products.merchantId, scope));
  // Without a status, the working set: archived products only when asked for.
  where.push(query.status === undefined ? ne(products.status, "archived") : eq(products.status, query.status));
  if (query.q !== undefined) {
    const match = ftsQuery(query.q);
    where.push(match === "" ? sql`0` : sql`${products}.rowid IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ${match})`);
  }
  if (query.cursor !== undefined) {
    const key = decodeCursor(query.cursor);
    if (key === null) return fail(400, "cursor is not one this list gave", "cursor");
    where.push(sql`(${products.updatedAt}, ${products.id}) < (${key[0]}, ${key[1]})`);
  }
  const rows = await db
    .select({
      product: products,
      categorySlug: sql<string>`${categories.slug}`.as("category_slug_"),
      categoryName: sql<string>`${categories.name}`.as("category_name_"),
      imageKey: productImages.r2Key,
      imageAlt: productImages.alt,
      imageWidth: productImages.width,
      imageHeight: productImages.height,
      variantCount: db.$count(variants, and(eq(variants.productId, products.id), isNull(variants.archivedAt))),
    })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .leftJoin(productImages, and(eq(productImages.productId, products.id), eq(productImages.position, 0)))
    .where(and(...where))
    .orderBy(desc(products.updatedAt), desc(products.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1)?.product;
  return ok({
    items: page.map(({ product: p, ...r }) => ({
      id: p.id,
      slug: p.slug,
      merchantId: p.merchantId,
      title: p.title,
      brand: p.brand,
      status: p.status,
      flashSale: p.flashSale,
      category: { id: p.categoryId, slug: r.categorySlug, name: r.categoryName },
      price: { amount: p.priceMin, currency: p.currency },
      image: mainImage(r),
      variantCount: r.variantCount,
      updatedAt: new Date(p.updatedAt).toISOString(),
    })),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.updatedAt, last.id) : null,
  });
}

/** The owner of each SKU asked for (unknown SKUs are absent): the admin checks it before touching stock. */
export async function skuOwners(db: CatalogDb, skus: string[]): Promise<Record<string, SkuOwner>> {
  const rows = await db
    .select({ sku: variants.sku, productId: products.id, merchantId: products.merchantId, archivedAt: variants.archivedAt })
    .from(variants)
    .innerJoin(products, eq(products.id, variants.productId))
    .where(inArray(variants.sku, skus));
  return Object.fromEntries(rows.map(({ archivedAt, ...r }) => [r.sku, { ...r, archived: archivedAt !== null }]));
}
