import { z } from "zod";
import { Money } from "../money.ts";

export const PRODUCT_SORTS = ["newest", "price_asc", "price_desc"] as const;
export const ProductSort = z.enum(PRODUCT_SORTS);
export type ProductSort = z.infer<typeof ProductSort>;

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const Slug = z.string().min(1).max(160).regex(slugPattern, "must be lowercase letters, digits and single dashes");

/** A word of `q` as a LIKE pattern's body: its own %, _ and \\ taken literally. */
export const escapeLike = (word: string): string => word.replace(/[\\%_]/g, (ch) => `\\${ch}`);
// SQLite on D1 refuses LIKE patterns over 50 bytes; with the two % around it, a word may take 48.
const MAX_WORD_BYTES = 48;
const wordFits = (q: string): boolean =>
  q.split(/\s+/).every((word) => new TextEncoder().encode(escapeLike(word.toLowerCase())).length <= MAX_WORD_BYTES);

// What the catalog's listProducts RPC accepts: already typed values.
export const ListProductsRequest = z.object({
  category: Slug.optional().describe("Category slug; includes its sub-categories"),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine(wordFits, `each word of q must be at most ${MAX_WORD_BYTES} bytes long (fewer characters if accented or emoji)`)
    .optional()
    .describe("Words that must appear in the title or brand"),
  inStock: z.boolean().optional().describe("Only products with at least one variant in stock"),
  merchantId: z.string().min(1).max(64).optional().describe("Only this merchant's products"),
  sort: ProductSort.default("newest").describe("newest | price_asc | price_desc"),
  limit: z
    .number({ error: "limit must be a whole number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(512).optional().describe("Opaque cursor from the previous page's nextCursor"),
});
export type ListProductsRequest = z.infer<typeof ListProductsRequest>;

// The same request as a query string: text turned into those values, in this one place.
export const ListProductsQuery = ListProductsRequest.extend({
  inStock: z.enum(["true", "false"], { error: "inStock must be true or false" }).optional().describe("true: only products in stock"),
  limit: z.coerce
    .number({ error: "limit must be a whole number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
});
export type ListProductsQuery = z.infer<typeof ListProductsQuery>;

export const ImageRef = z
  .object({
    url: z.string().describe("Stable, immutable URL of the image bytes"),
    alt: z.string(),
    width: z.number().int(),
    height: z.number().int(),
  })
  .meta({ id: "Image" });
export type ImageRef = z.infer<typeof ImageRef>;

export const CategoryRef = z.object({ id: z.string(), slug: z.string(), name: z.string() }).meta({ id: "CategoryRef" });

export const ProductSummary = z
  .object({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    brand: z.string(),
    merchantId: z.string(),
    category: CategoryRef,
    price: Money.describe("Lowest variant price"),
    image: ImageRef.nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "ProductSummary" });
export type ProductSummary = z.infer<typeof ProductSummary>;

export const ProductPage = z
  .object({
    items: z.array(ProductSummary),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "ProductPage" });
export type ProductPage = z.infer<typeof ProductPage>;

export const Variant = z
  .object({
    sku: z.string(),
    title: z.string(),
    options: z.record(z.string(), z.string()),
    price: Money,
    available: z.number().int().min(0),
  })
  .meta({ id: "Variant" });

export const ProductDetail = z
  .object({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    description: z.string(),
    brand: z.string(),
    merchantId: z.string(),
    category: CategoryRef.extend({ path: z.array(CategoryRef) }),
    attributes: z.record(z.string(), z.string()),
    images: z.array(ImageRef),
    variants: z.array(Variant),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "ProductDetail" });
export type ProductDetail = z.infer<typeof ProductDetail>;

export type CategoryNode = { id: string; slug: string; name: string; children: CategoryNode[] };
export const CategoryNode: z.ZodType<CategoryNode> = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    get children() {
      return z.array(CategoryNode);
    },
  })
  .meta({ id: "CategoryNode" });

export const CategoryTree = z.object({ items: z.array(CategoryNode) }).meta({ id: "CategoryTree" });
export type CategoryTree = z.infer<typeof CategoryTree>;

// What a cart needs to know about a SKU: its price now, and whether it can be bought.
export const Purchasable = z.object({
  sku: z.string(),
  productId: z.string(),
  productSlug: z.string(),
  title: z.string().describe("Product title with the variant's, e.g. 'Oxford Shirt — M'"),
  price: Money,
  purchasable: z.boolean(),
  flashSale: z.boolean(),
  merchantId: z.string(),
  department: z.string().describe("The root category's slug, e.g. 'electronics'"),
});
export type Purchasable = z.infer<typeof Purchasable>;
export const SkuList = z.array(z.string().min(1).max(64)).min(1).max(100);

// Where image bytes are served: the storefront's immutable-asset route joined with the R2 key.
export const IMAGE_PATH_PREFIX = "/v1/images/";
export const imageUrl = (r2Key: string): string => `${IMAGE_PATH_PREFIX}${r2Key}`;
