import { z } from "zod";
import { Money } from "../money.ts";
import { Rating } from "./review-dto.ts";

export const PRODUCT_SORTS = ["newest", "price_asc", "price_desc", "relevance"] as const;
export const ProductSort = z.enum(PRODUCT_SORTS);
export type ProductSort = z.infer<typeof ProductSort>;

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const Slug = z.string().min(1).max(160).regex(slugPattern, "must be lowercase letters, digits and single dashes");

// No real word is longer; a cap keeps a search's prefix queries on the full-text index cheap.
const MAX_WORD_BYTES = 48;
const wordFits = (q: string): boolean => q.split(/\s+/).every((word) => new TextEncoder().encode(word).length <= MAX_WORD_BYTES);

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
  sort: ProductSort.optional().describe("newest | price_asc | price_desc | relevance (needs q; the default with q, else newest)"),
  brand: z.array(z.string().min(1).max(100)).max(20, "at most 20 brands").optional().describe("Only these brands (any of them)"),
  priceMin: z.number().int().min(0, "priceMin must be 0 or more").optional().describe("Lowest price, in minor units"),
  priceMax: z.number().int().min(0, "priceMax must be 0 or more").optional().describe("Highest price, in minor units"),
  ratingMin: z
    .number()
    .int()
    .min(1, "ratingMin is 1 to 5")
    .max(5, "ratingMin is 1 to 5")
    .optional()
    .describe("Average rating at least this"),
  attributes: z
    .record(z.string().min(1).max(60), z.array(z.string().min(1).max(200)).min(1).max(20))
    .refine((a) => Object.keys(a).length <= 10, "at most 10 attribute filters")
    .optional()
    .describe("attr.<key>=<value>: products whose attribute has any of the values; keys combine with AND"),
  facets: z.boolean().optional().describe("Also count brands, price bands, ratings, attributes and stock over the whole result"),
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
const oneOrMany = z
  .union([z.string().min(1).max(100), z.array(z.string().min(1).max(100)).max(20, "at most 20 values")])
  .transform((v) => (Array.isArray(v) ? v : [v]));
const minorUnits = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a whole number of minor units` })
    .int(`${name} must be a whole number of minor units`)
    .min(0, `${name} must be 0 or more`);

export const ListProductsQuery = ListProductsRequest.omit({ attributes: true }).extend({
  inStock: z.enum(["true", "false"], { error: "inStock must be true or false" }).optional().describe("true: only products in stock"),
  facets: z.enum(["true", "false"], { error: "facets must be true or false" }).optional().describe("true: add facet counts"),
  brand: oneOrMany.optional().describe("Only these brands; repeat for several (any of them)"),
  priceMin: minorUnits("priceMin").optional().describe("Lowest price, in minor units"),
  priceMax: minorUnits("priceMax").optional().describe("Highest price, in minor units"),
  ratingMin: z.coerce
    .number({ error: "ratingMin is 1 to 5" })
    .int("ratingMin is 1 to 5")
    .min(1, "ratingMin is 1 to 5")
    .max(5, "ratingMin is 1 to 5")
    .optional(),
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
    rating: Rating,
    image: ImageRef.nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "ProductSummary" });
export type ProductSummary = z.infer<typeof ProductSummary>;

export const FacetValue = z.object({ value: z.string(), count: z.number().int() }).meta({ id: "FacetValue" });
export const PriceBand = FacetValue.extend({
  min: z.number().int().describe("Lowest price in the band, minor units"),
  max: z.number().int().nullable().describe("First price above the band (null: no upper end)"),
}).meta({ id: "PriceBand" });

/**
 * Counts over the whole filtered result (not the page). Each facet is counted with every filter except its own,
 * so picking a brand still shows how many the other brands have (OR within a facet, AND across facets).
 */
export const Facets = z
  .object({
    brand: z.array(FacetValue),
    priceBand: z.array(PriceBand),
    rating: z.array(FacetValue).describe("value n: average rating n or more"),
    attributes: z.record(z.string(), z.array(FacetValue)),
    inStock: FacetValue.describe('value "true": products with stock'),
  })
  .meta({ id: "Facets" });
export type Facets = z.infer<typeof Facets>;

export const ProductPage = z
  .object({
    items: z.array(ProductSummary),
    nextCursor: z.string().nullable(),
    facets: Facets.optional(),
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
    rating: Rating.describe("Published reviews' average and count"),
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
export const SlugList = z.array(Slug).min(1).max(100);

// Where image bytes are served: the storefront's immutable-asset route joined with the R2 key.
export const IMAGE_PATH_PREFIX = "/v1/images/";
export const imageUrl = (r2Key: string): string => `${IMAGE_PATH_PREFIX}${r2Key}`;

const ATTRIBUTE_PARAM = /^attr\.(.{1,60})$/;

/**
 * The listing request a query string asks for: the validated parameters with their text turned into values, and
 * the `attr.<key>=<value>` filters (repeatable; their keys are the vendors' own, so no schema can list them).
 */
export function listRequestFrom(
  query: ListProductsQuery,
  all: Record<string, string[]>,
): { ok: true; value: ListProductsRequest } | { ok: false; field: string; message: string } {
  const { inStock, facets, ...rest } = query;
  const attributes: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(all)) {
    const key = ATTRIBUTE_PARAM.exec(name)?.[1];
    if (key === undefined) continue;
    const kept = values.filter((v) => v !== "");
    if (kept.length === 0) continue;
    if (kept.length > 20 || kept.some((v) => v.length > 200))
      return { ok: false, field: name, message: `${name}: at most 20 values of at most 200 characters` };
    attributes[key] = kept;
  }
  if (Object.keys(attributes).length > 10) return { ok: false, field: "attr", message: "at most 10 attribute filters" };
  return {
    ok: true,
    value: {
      ...rest,
      ...(inStock === undefined ? {} : { inStock: inStock === "true" }),
      ...(facets === undefined ? {} : { facets: facets === "true" }),
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    },
  };
}
