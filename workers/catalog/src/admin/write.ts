import { and, eq, inArray, isNull, notInArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { AdminProduct, ProductInput, ProductPatch } from "#schema/catalog/admin-dto.ts";
import type { FieldProblem } from "#schema/problem.ts";
import { problem } from "#shared/problem.ts";
import { fail, type Result } from "#shared/result.ts";
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

/**
 * The listed SKUs that product `productId` may not use, each named by its place in the list: a SKU names one
 * variant (and its Inventory object) for good, so it is taken once any product has had it, archived or not;
 * a product may keep only its own live ones.
 */
async function skuConflicts(db: CatalogDb, list: VariantRows, productId: string): Promise<FieldProblem[]> {
  const skus = list.map((v) => v.sku);
  const rows = await db
    .select({ sku: variants.sku, productId: variants.productId, archivedAt: variants.archivedAt })
    .from(variants)
    .where(inArray(variants.sku, skus));
  const taken = new Map(rows.filter((r) => r.productId !== productId || r.archivedAt !== null).map((r) => [r.sku, r.productId]));
  return list.flatMap((v, i) => {
    const owner = taken.get(v.sku);
    if (owner === undefined) return [];
    const message =
      owner === productId
        ? `SKU ${v.sku} was removed from this product, and a SKU is never used again (its stock history stays with it): choose a new SKU`
        : `SKU ${v.sku} is taken: a SKU belongs to one product across the shop and is never reused, even once removed`;
    return [{ field: `variants.${i}.sku`, message }];
  });
}

const skuConflict = (errors: FieldProblem[]): Result<never> => ({
  ok: false,
  problem: problem(409, errors.map((e) => e.message).join("; "), errors),
});

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
  const conflicts = await skuConflicts(db, input.variants, "");
  if (conflicts.length > 0) return skuConflict(conflicts);

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
  const failed = await commit(db, statements, { list: input.variants, productId: "" });
  if (failed !== null) return failed;
  return adminProduct(db, scope, id);
}

export async function updateProduct(db: CatalogDb, scope: Scope, id: string, patch: ProductPatch): Promise<Result<AdminProduct>> {
  const [current] = await db.select({ merchantId: products.merchantId }).from(products).where(eq(products.id, id)).limit(1);
  if (current === undefined || !owns(scope, current.merchantId)) return notFound(id);

  const now = Date.now();
  const changes: Partial<typeof products.$inferInsert> = { updatedAt: now };
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
    const conflicts = await skuConflicts(db, patch.variants, id);
    if (conflicts.length > 0) return skuConflict(conflicts);
    Object.assign(changes, pricing(patch.variants));
    // Variants no longer listed are archived, never deleted: the SKU keeps its Inventory object's stock and
    // history and no other variant may take it. Nothing of it is available from now on (the admin retires the
    // object, and the stock snapshot leaves archived rows alone).
    const skus = patch.variants.map((v) => v.sku);
    statements.push(
      db
        .update(variants)
        .set({ archivedAt: now, available: 0 })
        .where(and(eq(variants.productId, id), notInArray(variants.sku, skus), isNull(variants.archivedAt))),
    );
    for (const v of variantValues(id, patch.variants)) {
      // The stock snapshot (available, stockSeq) belongs to the inventory events: an edit leaves it alone.
      // Product and archivedAt are written too, so that a SKU another writer took or retired since our check
      // trips the variants_sku_kept trigger (the batch fails: a 409) instead of being skipped in silence.
      statements.push(
        db
          .insert(variants)
          .values(v)
          .onConflictDoUpdate({
            target: variants.sku,
            set: {
              productId: id,
              archivedAt: null,
              title: v.title,
              options: v.options,
              priceAmount: v.priceAmount,
              currency: v.currency,
              position: v.position,
            },
          }),
      );
    }
  }
  if (patch.attributes !== undefined) {
    statements.push(db.delete(productAttributes).where(eq(productAttributes.productId, id)));
    const rows = attributeValues(id, patch.attributes);
    if (rows.length > 0) statements.push(db.insert(productAttributes).values(rows));
  }
  const failed = await commit(
    db,
    [db.update(products).set(changes).where(eq(products.id, id)), ...statements],
    patch.variants === undefined ? undefined : { list: patch.variants, productId: id },
  );
  if (failed !== null) return failed;
  return adminProduct(db, scope, id);
}

/**
 * One transaction; a SKU another writer took or retired between our check and this write (the unique key or
 * the variants_sku_kept trigger) is the same 409, named now that the other write is visible.
 */
async function commit(
  db: CatalogDb,
  statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]],
  written?: { list: VariantRows; productId: string },
): Promise<Result<never> | null> {
  try {
    await db.batch(statements);
    return null;
  } catch (err) {
    const message = String(err);
    if (message.includes("variants.sku")) {
      const conflicts = written === undefined ? [] : await skuConflicts(db, written.list, written.productId);
      return conflicts.length > 0 ? skuConflict(conflicts) : fail(409, "a SKU of this product was taken at the same moment", "variants");
    }
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
