import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { processedEventsTable } from "#shared/event-tables.ts";

// Categories form a tree; `path` is the materialised chain of slugs ("/electronics/phones/") so a
// subtree is one indexed prefix scan instead of a recursive walk.
export const categories = sqliteTable(
  "categories",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    parentId: text("parent_id"),
    path: text("path").notNull(),
    position: integer("position").notNull().default(0),
  },
  (t) => [uniqueIndex("categories_slug_uq").on(t.slug), index("categories_path_idx").on(t.path)],
);

export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    // Multi-vendor from day one: every product belongs to exactly one merchant (an identity organisation).
    merchantId: text("merchant_id").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull(),
    brand: text("brand").notNull(),
    categoryId: text("category_id")
      .notNull()
      .references(() => categories.id),
    status: text("status", { enum: ["active", "draft", "archived"] })
      .notNull()
      .default("active"),
    // Flash-sale products hold stock at add-to-cart (short TTL) instead of at checkout.
    flashSale: integer("flash_sale", { mode: "boolean" }).notNull().default(false),
    // Lowest variant price, kept with the product so listings sort and show "from" prices without a join.
    priceMin: integer("price_min").notNull(),
    // Published reviews' ratings, kept as integers (average = sum / count) for the listing and the rating facet.
    ratingSum: integer("rating_sum").notNull().default(0),
    ratingCount: integer("rating_count").notNull().default(0),
    currency: text("currency").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("products_slug_uq").on(t.slug),
    index("products_merchant_idx").on(t.merchantId),
    index("products_newest_idx").on(t.status, t.createdAt, t.id),
    index("products_price_idx").on(t.status, t.priceMin, t.id),
    index("products_category_newest_idx").on(t.categoryId, t.status, t.createdAt, t.id),
    index("products_category_price_idx").on(t.categoryId, t.status, t.priceMin, t.id),
  ],
);

export const variants = sqliteTable(
  "variants",
  {
    sku: text("sku").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    // Option values that tell variants apart, e.g. {"size":"M","colour":"Navy"}: JSON object of strings.
    options: text("options", { mode: "json" }).$type<Record<string, string>>().notNull(),
    priceAmount: integer("price_amount").notNull(),
    currency: text("currency").notNull(),
    // Stock snapshot for listings; the Inventory Durable Object is the source of truth. `stockSeq` is the
    // object's change number behind the snapshot: a queue message only applies when its seq is newer.
    available: integer("available").notNull().default(0),
    stockSeq: integer("stock_seq").notNull().default(0),
    position: integer("position").notNull().default(0),
    // Set when the variant leaves its product. The row stays for good: the SKU names an Inventory object with
    // its stock and history, so it must never name anything else (migration 0005's triggers keep an archived
    // row archived and a SKU with its product). An archived row's `available` is 0 and stays 0.
    archivedAt: integer("archived_at"),
  },
  (t) => [index("variants_product_idx").on(t.productId, t.position)],
);

// Free-form attributes: vendors send different keys (ISBN, size, voltage…), so they are rows, not columns;
// (name, value) is indexed for the facet filters that search will add.
export const productAttributes = sqliteTable(
  "product_attributes",
  {
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    value: text("value").notNull(),
    position: integer("position").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.productId, t.name] }), index("product_attributes_facet_idx").on(t.name, t.value)],
);

export const productImages = sqliteTable(
  "product_images",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    // Content-addressed R2 key: the bytes behind a key never change, so URLs are cacheable forever.
    r2Key: text("r2_key").notNull(),
    alt: text("alt").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    contentType: text("content_type").notNull(),
    bytes: integer("bytes").notNull(),
    position: integer("position").notNull().default(0),
  },
  (t) => [index("product_images_product_idx").on(t.productId, t.position)],
);

// Reviews by verified buyers; one per product and buyer. The product's rating_sum/rating_count count the
// published ones and change in the same transaction as a review's status.
export const reviews = sqliteTable(
  "reviews",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    author: text("author").notNull(),
    orderId: text("order_id").notNull(),
    rating: integer("rating").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: ["published", "hidden"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("reviews_product_user_uq").on(t.productId, t.userId),
    index("reviews_product_idx").on(t.productId, t.status, t.createdAt),
  ],
);

// Small key/value facts about the database itself (e.g. whether the demo shop finished loading).
export const catalogMeta = sqliteTable("catalog_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull().default(sql`(unixepoch() * 1000)`),
});

// Events the catalog has handled (catalog-events: identity.user_erased), by id.
export const processedEvents = processedEventsTable();
