import { sha256Hex } from "#shared/crypto.ts";
import { type CategoryRow, DEMO_IMAGE_SIZE, type DemoProduct, demoCategories, demoImage, demoProducts } from "./demo-shop.ts";

// The loader speaks the plain D1 and R2 binding APIs, so the same code fills a database from Node
// (through Miniflare's binding proxies at `npm start`) and from inside workerd (in tests).
type Statement = { bind(...values: unknown[]): Statement; first<T>(): Promise<T | null> };
export type SqlDatabase = { prepare(sql: string): Statement; batch(statements: Statement[]): Promise<unknown> };
export type Bucket = {
  put(key: string, value: Uint8Array, options: { httpMetadata: { contentType: string } }): Promise<unknown>;
};

export type LoadResult = { loaded: false; reason: string } | { loaded: true; products: number; images: number };

const MARKER = "demo_shop";
const PRODUCTS_PER_BATCH = 100;

function categoryStatements(db: SqlDatabase, rows: CategoryRow[]): Statement[] {
  return rows.map((c) =>
    db
      .prepare("INSERT INTO categories (id, slug, name, parent_id, path, position) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(c.id, c.slug, c.name, c.parentId, c.path, c.position),
  );
}

function productStatements(db: SqlDatabase, p: DemoProduct, image: { key: string; bytes: number }): Statement[] {
  return [
    db
      .prepare(
        "INSERT INTO products (id, slug, merchant_id, title, description, brand, category_id, status, flash_sale, price_min, currency, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)",
      )
      .bind(
        p.id,
        p.slug,
        p.merchantId,
        p.title,
        p.description,
        p.brand,
        p.categoryId,
        p.flashSale ? 1 : 0,
        p.priceMin,
        p.currency,
        p.createdAt,
        p.createdAt,
      ),
    ...p.variants.map((v, i) =>
      db
        .prepare(
          "INSERT INTO variants (sku, product_id, title, options, price_amount, currency, available, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(v.sku, p.id, v.title, JSON.stringify(v.options), v.priceAmount, v.currency, v.available, i),
    ),
    ...Object.entries(p.attributes).map(([name, value], i) =>
      db.prepare("INSERT INTO product_attributes (product_id, name, value, position) VALUES (?, ?, ?, ?)").bind(p.id, name, value, i),
    ),
    db
      .prepare(
        "INSERT INTO product_images (id, product_id, r2_key, alt, width, height, content_type, bytes, position) VALUES (?, ?, ?, ?, ?, ?, 'image/png', ?, 0)",
      )
      .bind(`img_${p.id.slice(4)}_1`, p.id, image.key, p.image.alt, DEMO_IMAGE_SIZE, DEMO_IMAGE_SIZE, image.bytes),
  ];
}

type StoredImage = { key: string; bytes: number };

// Keys are named by content, so identical bytes are stored once and a URL never changes meaning.
async function storeImage(assets: Bucket, product: DemoProduct): Promise<StoredImage> {
  const png = await demoImage(product);
  const key = `products/${(await sha256Hex(png)).slice(0, 24)}.png`;
  await assets.put(key, png, { httpMetadata: { contentType: "image/png" } });
  return { key, bytes: png.length };
}

const setMarker = (db: SqlDatabase, value: string): Statement =>
  db
    .prepare(
      "INSERT INTO catalog_meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(MARKER, value, Date.now());

/**
 * Loads the demo shop when the catalog is empty. A load that was cut short (marker still "loading") is
 * wiped and redone, so a second start never sees half a shop; a catalog with data of its own is left alone.
 */
export type LoadOptions = {
  size?: number;
  seed?: number;
  /** Draw only this many images and let the other products reuse them (for catalogs of 100,000+). */
  imagePool?: number;
  /** Writes a SKU's opening balance where stock really lives (its Inventory object); idempotent. */
  openingStock?: ((sku: string, quantity: number) => Promise<unknown>) | undefined;
};

const OPENING_PARALLELISM = 64;

export async function loadDemoShop(db: SqlDatabase, assets: Bucket, options: LoadOptions = {}): Promise<LoadResult> {
  const marker = await db.prepare("SELECT value FROM catalog_meta WHERE key = ?").bind(MARKER).first<{ value: string }>();
  if (marker?.value === "loaded") return { loaded: false, reason: "demo shop already loaded" };
  if (marker === null) {
    const existing = await db.prepare("SELECT count(*) AS n FROM products").first<{ n: number }>();
    if ((existing?.n ?? 0) > 0) return { loaded: false, reason: "catalog already has products" };
  }

  await db.batch([
    db.prepare("DELETE FROM product_images"),
    db.prepare("DELETE FROM product_attributes"),
    db.prepare("DELETE FROM variants"),
    db.prepare("DELETE FROM products"),
    db.prepare("DELETE FROM categories"),
    setMarker(db, "loading"),
  ]);
  await db.batch(categoryStatements(db, demoCategories()));

  let products = 0;
  let batch: DemoProduct[] = [];
  const pool: StoredImage[] = [];
  const imageFor = async (p: DemoProduct, index: number): Promise<StoredImage> => {
    if (options.imagePool === undefined || index < options.imagePool) {
      const image = await storeImage(assets, p);
      if (options.imagePool !== undefined) pool.push(image);
      return image;
    }
    return pool[index % options.imagePool] ?? storeImage(assets, p);
  };
  const flush = async (): Promise<void> => {
    const stored = await Promise.all(batch.map(async (p, i) => ({ p, image: await imageFor(p, products + i) })));
    await db.batch(stored.flatMap(({ p, image }) => productStatements(db, p, image)));
    const opening = options.openingStock;
    if (opening !== undefined) {
      const stocked = batch.flatMap((p) => p.variants.filter((v) => v.available > 0));
      for (let i = 0; i < stocked.length; i += OPENING_PARALLELISM) {
        await Promise.all(stocked.slice(i, i + OPENING_PARALLELISM).map((v) => opening(v.sku, v.available)));
      }
    }
    products += batch.length;
    batch = [];
  };
  for (const product of demoProducts(options.size, options.seed)) {
    batch.push(product);
    if (batch.length === PRODUCTS_PER_BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  await db.batch([setMarker(db, "loaded")]);
  return { loaded: true, products, images: options.imagePool === undefined ? products : Math.min(products, options.imagePool) };
}
