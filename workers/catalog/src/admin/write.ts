import { and, eq, inArray, ne, notInArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { AdminProduct, ProductInput, ProductPatch } from "../../../../schema/catalog/admin-dto.ts";
import { fail, type Result } from "../../../shared/src/result.ts";
import { type CatalogDb, tables } from "../db.ts";
import { adminProduct, notFound, owns, type Scope } from "./read.ts";

const { products, categories, variants, productAttributes } = tables;

type VariantRows = ProductInput["variants"];

/** A readable, unique URL slug: the title's words, and a short random tail when the plain one is taken. */
export function slugify(title: string): string {
  const base = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return base === "" ? "product" : base;
}

async function freeSlug(db: CatalogDb, title: string): Promise<string> {
  const base = slugify(title);
  const [taken] = await db.select({ id: products.id }).from(products).where(eq(products.slug, base)).limit(1);
  return taken === undefined ? base : `${base}-${crypto.randomUUID().slice(0, 8)}`;
}

async function categoryId(db: CatalogDb, slug: string): Promise<Result<string>> {
  const [row] = await db.select({ id: categories.id }).from(categories).where(eq(categories.slug, slug)).limit(1);
  return row === undefined ? fail(400, `category '${slug}' does not exist`, "category") : { ok: true, value: row.id };
}

/** SKUs in `skus` that another product has: a SKU names one sellable thing across the whole catalog. */
async function skusTakenElsewhere(db: CatalogDb, skus: string[], productId: string): Promise<string[]> {
  const rows = await db
    .select({ sku: variants.sku })
    .from(variants)
    .where(and(inArray(variants.sku, skus), ne(variants.productId, productId)));
  return rows.map((r) => r.sku);
}

const skuConflict = (skus: string[]) => fail<never>(409, `SKU ${skus.join(", ")} belongs to another product already`, "variants");

const variantValues = (productId: string, list: VariantRows) =>
  list.map((v, position) => ({
    sku: v.sku,
    productId,
    title: v.title,
    options: v.attributes,
    priceAmount: v.price.amount,
    currency: v.price.currency,
    position,
  }));

const attributeValues = (productId: string, attributes: Record<string, string>) =>
  Object.entries(attributes).map(([name, value], position) => ({ productId, name, value, position }));

const pricing = (list: VariantRows) => ({
  priceMin: Math.min(...list.map((v) => v.price.amount)),
  currency: list[0]?.price.currency ?? "EUR",
});

export async function createProduct(db: CatalogDb, scope: Scope, input: ProductInput): Promise<Result<AdminProduct>> {
  const merchantId = scope ?? input.merchantId;
  if (merchantId === undefined) return fail(400, "a platform admin names the merchant: merchantId", "merchantId");
  const category = await categoryId(db, input.category);
  if (!category.ok) return category;
  const taken = await skusTakenElsewhere(
    db,
    input.variants.map((v) => v.sku),
    "",
  );
  if (taken.length > 0) return skuConflict(taken);

  const id = `prd_${crypto.randomUUID().replaceAll("-", "")}`;
  const now = Date.now();
  const statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    db.insert(products).values({
      id,
      slug: await freeSlug(db, input.title),
      merchantId,
      title: input.title,
      description: input.description,
      brand: input.brand,
      categoryId: category.value,
      status: input.status,
      flashSale: input.flashSale,
      ...pricing(input.variants),
      createdAt: now,
      updatedAt: now,
    }),
    db.insert(variants).values(variantValues(id, input.variants)),
  ];
  const attributes = attributeValues(id, input.attributes);
  if (attributes.length > 0) statements.push(db.insert(productAttributes).values(attributes));
  const failed = await commit(db, statements);
  if (failed !== null) return failed;
  return adminProduct(db, scope, id);
}

export async function updateProduct(db: CatalogDb, scope: Scope, id: string, patch: ProductPatch): Promise<Result<AdminProduct>> {
  const [current] = await db.select({ merchantId: products.merchantId }).from(products).where(eq(products.id, id)).limit(1);
  if (current === undefined || !owns(scope, current.merchantId)) return notFound(id);

  const changes: Partial<typeof products.$inferInsert> = { updatedAt: Date.now() };
  if (patch.title !== undefined) changes.title = patch.title;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.brand !== undefined) changes.brand = patch.brand;
  if (patch.status !== undefined) changes.status = patch.status;
  if (patch.flashSale !== undefined) changes.flashSale = patch.flashSale;
  if (patch.category !== undefined) {
    const category = await categoryId(db, patch.category);
    if (!category.ok) return category;
    changes.categoryId = category.value;
  }
  const statements: BatchItem<"sqlite">[] = [];
  if (patch.variants !== undefined) {
    const skus = patch.variants.map((v) => v.sku);
    const taken = await skusTakenElsewhere(db, skus, id);
    if (taken.length > 0) return skuConflict(taken);
    Object.assign(changes, pricing(patch.variants));
    // Variants no longer listed go; orders keep their own copy of what was bought, so history stays whole.
    statements.push(db.delete(variants).where(and(eq(variants.productId, id), notInArray(variants.sku, skus))));
    for (const v of variantValues(id, patch.variants)) {
      // The stock snapshot (available, stockSeq) belongs to the inventory events: an edit leaves it alone.
      statements.push(
        db
          .insert(variants)
          .values(v)
          .onConflictDoUpdate({
            target: variants.sku,
            set: { title: v.title, options: v.options, priceAmount: v.priceAmount, currency: v.currency, position: v.position },
            setWhere: eq(variants.productId, id),
          }),
      );
    }
  }
  if (patch.attributes !== undefined) {
    statements.push(db.delete(productAttributes).where(eq(productAttributes.productId, id)));
    const rows = attributeValues(id, patch.attributes);
    if (rows.length > 0) statements.push(db.insert(productAttributes).values(rows));
  }
  const failed = await commit(db, [db.update(products).set(changes).where(eq(products.id, id)), ...statements]);
  if (failed !== null) return failed;
  return adminProduct(db, scope, id);
}

/** One transaction; a unique key another writer took between our check and this write is the same 409. */
async function commit(db: CatalogDb, statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]): Promise<Result<never> | null> {
  try {
    await db.batch(statements);
    return null;
  } catch (err) {
    const message = String(err);
    if (message.includes("variants.sku")) return fail(409, "a SKU of this product belongs to another product already", "variants");
    if (message.includes("products.slug"))
      return fail(409, "another product took this title's address at the same moment; try again", "title");
    throw err;
  }
}

/** Touches the product's updatedAt (an image edit is an edit: it moves up the merchant's list). */
export const touch = (db: CatalogDb, id: string) =>
  db
    .update(products)
    .set({ updatedAt: sql`${Date.now()}` })
    .where(eq(products.id, id));
