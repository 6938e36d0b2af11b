import { and, asc, eq } from "drizzle-orm";
import { type AdminProduct, IMAGE_KEY_PREFIX, MAX_IMAGE_BYTES } from "#schema/catalog/admin-dto.ts";
import { sha256Hex } from "#shared/crypto.ts";
import { imageSizeProblem, sniffImage } from "#shared/image-header.ts";
import { stripImageMetadata } from "#shared/image-metadata.ts";
import { fail, type Result } from "#shared/result.ts";
import { type CatalogDb, tables } from "../db.ts";
import { adminProduct, notFound, owns, type Scope } from "./read.ts";
import { touch } from "./write.ts";

const { products, productImages } = tables;

async function ownedProduct(db: CatalogDb, scope: Scope, id: string): Promise<boolean> {
  const [row] = await db.select({ merchantId: products.merchantId }).from(products).where(eq(products.id, id)).limit(1);
  return row !== undefined && owns(scope, row.merchantId);
}

const imagesOf = (db: CatalogDb, productId: string) =>
  db
    .select({ id: productImages.id, r2Key: productImages.r2Key })
    .from(productImages)
    .where(eq(productImages.productId, productId))
    .orderBy(asc(productImages.position), asc(productImages.id));

/** Positions 0…n-1 in the given order: position 0 is the listing's picture, so there is always exactly one. */
const renumber = (db: CatalogDb, ids: string[]) =>
  ids.map((id, position) => db.update(productImages).set({ position }).where(eq(productImages.id, id)));

/**
 * Stores an uploaded image. Its type comes from its bytes (never its name or declared type), its size from its
 * own header (a canvas too large to decode safely is refused); what a camera or editor wrote beside the pixels
 * (EXIF with GPS, XMP, comments…) is removed first, and the R2 key is the SHA-256 of the bytes stored, so the
 * same picture uploaded twice is stored once and its URL never changes.
 */
export async function addImage(
  db: CatalogDb,
  bucket: R2Bucket,
  scope: Scope,
  productId: string,
  upload: Uint8Array,
  alt: string,
): Promise<Result<AdminProduct>> {
  if (!(await ownedProduct(db, scope, productId))) return notFound(productId);
  if (upload.byteLength > MAX_IMAGE_BYTES) return fail(413, `an image is at most ${MAX_IMAGE_BYTES / 1024 / 1024} MiB`);
  const image = sniffImage(upload);
  if (image === null) return fail(415, "not an image this shop serves: send a PNG, JPEG, GIF or WebP file");
  const tooLarge = imageSizeProblem(image);
  if (tooLarge !== null) return fail(422, tooLarge);
  const stripped = stripImageMetadata(upload, image.type);
  if ("damaged" in stripped) return fail(422, `the file cannot be read through (${stripped.damaged}): export it again and upload that`);
  const bytes = stripped.bytes;

  const key = `${IMAGE_KEY_PREFIX}${await sha256Hex(bytes)}.${image.extension}`;
  const existing = await imagesOf(db, productId);
  if (existing.some((i) => i.r2Key === key)) return adminProduct(db, scope, productId);
  // Bytes first, row second: a row never points at bytes that are not there. A failure between leaves only an
  // unreferenced object under its own hash, which the next upload of that file reuses.
  await bucket.put(key, bytes, { httpMetadata: { contentType: image.type } });
  await db.batch([
    db.insert(productImages).values({
      id: `img_${crypto.randomUUID().replaceAll("-", "")}`,
      productId,
      r2Key: key,
      alt: alt.trim().slice(0, 300),
      width: image.width,
      height: image.height,
      contentType: image.type,
      bytes: bytes.byteLength,
      position: existing.length,
    }),
    touch(db, productId),
  ]);
  return adminProduct(db, scope, productId);
}

async function findImage(db: CatalogDb, scope: Scope, productId: string, file: string) {
  if (!(await ownedProduct(db, scope, productId))) return null;
  const images = await imagesOf(db, productId);
  const image = images.find((i) => i.r2Key === `${IMAGE_KEY_PREFIX}${file}`);
  return image === undefined ? null : { image, images };
}

export async function updateImage(
  db: CatalogDb,
  scope: Scope,
  productId: string,
  file: string,
  patch: { alt?: string | undefined; position?: number | undefined },
): Promise<Result<AdminProduct>> {
  const found = await findImage(db, scope, productId, file);
  if (found === null) return fail(404, `no image '${file}' on product '${productId}'`);
  const order = found.images.map((i) => i.id).filter((id) => id !== found.image.id);
  order.splice(Math.min(patch.position ?? found.images.indexOf(found.image), order.length), 0, found.image.id);
  await db.batch([
    touch(db, productId),
    ...renumber(db, order),
    ...(patch.alt === undefined ? [] : [db.update(productImages).set({ alt: patch.alt }).where(eq(productImages.id, found.image.id))]),
  ]);
  return adminProduct(db, scope, productId);
}

export async function deleteImage(
  db: CatalogDb,
  bucket: R2Bucket,
  scope: Scope,
  productId: string,
  file: string,
): Promise<Result<AdminProduct>> {
  const found = await findImage(db, scope, productId, file);
  if (found === null) return fail(404, `no image '${file}' on product '${productId}'`);
  const rest = found.images.filter((i) => i.id !== found.image.id).map((i) => i.id);
  await db.batch([db.delete(productImages).where(eq(productImages.id, found.image.id)), touch(db, productId), ...renumber(db, rest)]);
  // The bytes go once no product shows them (the same file may picture several products).
  const [stillUsed] = await db
    .select({ id: productImages.id })
    .from(productImages)
    .where(and(eq(productImages.r2Key, found.image.r2Key)))
    .limit(1);
  if (stillUsed === undefined) await bucket.delete(found.image.r2Key);
  return adminProduct(db, scope, productId);
}
