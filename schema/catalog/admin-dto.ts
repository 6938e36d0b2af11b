import { z } from "zod";
import { Money } from "../money.ts";
import { CategoryRef, ImageRef, Slug } from "./dto.ts";

// What merchants write: the same shapes the shopper API reads, validated once here for the admin API and the
// catalog's RPC alike.

// Every ISO 4217 code the runtime's ICU knows (workerd and Node share V8's list); a typo such as "EUO" is a 400.
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));
export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "currency is a three-letter ISO 4217 code, e.g. EUR")
  .refine((c) => CURRENCIES.has(c), "unknown currency: use an ISO 4217 code, e.g. EUR");

export const PriceInput = z.object({
  amount: z
    .number({ error: "price.amount must be a whole number of minor units" })
    .int("price.amount must be a whole number of minor units")
    .min(0, "price.amount must not be negative")
    .max(100_000_000, "price.amount is at most 100000000 minor units"),
  currency: CurrencyCode,
});

const text = (name: string, max: number) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} must not be empty`)
    .max(max, `${name} is at most ${max} characters`);

/** Free-form attributes: vendors bring their own keys (ISBN, voltage…). */
export const AttributesInput = z
  .record(text("attribute name", 60), text("attribute value", 200))
  .refine((a) => Object.keys(a).length <= 30, "at most 30 attributes");

export const SkuInput = z
  .string({ error: "sku is required" })
  .trim()
  .min(1, "sku must not be empty")
  .max(64, "sku is at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "sku is letters, digits, dots, dashes and underscores");

export const VariantInput = z.object({
  sku: SkuInput,
  title: text("variant title", 120),
  price: PriceInput,
  attributes: AttributesInput.default({}),
});

const VariantsInput = z
  .array(VariantInput)
  .min(1, "a product needs at least one variant")
  .max(50, "at most 50 variants")
  .superRefine((variants, ctx) => {
    const seen = new Set<string>();
    for (const [i, v] of variants.entries()) {
      if (seen.has(v.sku)) ctx.addIssue({ code: "custom", path: [i, "sku"], message: `sku ${v.sku} appears twice` });
      seen.add(v.sku);
    }
    if (new Set(variants.map((v) => v.price.currency)).size > 1) {
      ctx.addIssue({ code: "custom", path: [0, "price", "currency"], message: "every variant is priced in one currency" });
    }
  });

export const PRODUCT_STATUSES = ["draft", "active", "archived"] as const;

export const ProductInput = z
  .object({
    title: text("title", 200),
    description: z.string().trim().max(10_000, "description is at most 10000 characters").default(""),
    brand: text("brand", 100),
    category: Slug.describe("Category slug"),
    status: z.enum(["draft", "active"], { error: 'status is "draft" or "active"' }).default("draft"),
    attributes: AttributesInput.default({}),
    flashSale: z.boolean().default(false),
    variants: VariantsInput,
    merchantId: z.string().min(1).max(64).optional().describe("Platform admins only: whose product this is"),
  })
  .meta({ id: "ProductInput" });
export type ProductInput = z.infer<typeof ProductInput>;

export const ProductPatch = z
  .object({
    title: text("title", 200),
    description: z.string().trim().max(10_000, "description is at most 10000 characters"),
    brand: text("brand", 100),
    category: Slug,
    status: z.enum(PRODUCT_STATUSES, { error: 'status is "draft", "active" or "archived"' }),
    attributes: AttributesInput,
    flashSale: z.boolean(),
    variants: VariantsInput.describe("When given, replaces the variants (by SKU)"),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, "send at least one field to change")
  .meta({ id: "ProductPatch" });
export type ProductPatch = z.infer<typeof ProductPatch>;

export const AdminImage = ImageRef.extend({
  key: z.string().describe("The file name (content hash + extension): names the image in this API"),
  contentType: z.string(),
  bytes: z.number().int(),
  position: z.number().int(),
}).meta({ id: "AdminImage" });

export const AdminProduct = z
  .object({
    id: z.string(),
    slug: z.string(),
    merchantId: z.string(),
    title: z.string(),
    description: z.string(),
    brand: z.string(),
    category: CategoryRef,
    status: z.enum(PRODUCT_STATUSES),
    flashSale: z.boolean(),
    attributes: z.record(z.string(), z.string()),
    variants: z.array(z.object({ sku: z.string(), title: z.string(), price: Money, attributes: z.record(z.string(), z.string()) })),
    archivedVariants: z
      .array(z.object({ sku: z.string(), title: z.string(), archivedAt: z.iso.datetime() }))
      .describe(
        "Variants removed from the product: archived, never deleted. Not for sale; each SKU is never used again, and its stock history stays at /admin/v1/inventory/{sku}",
      ),
    images: z.array(AdminImage),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "AdminProduct" });
export type AdminProduct = z.infer<typeof AdminProduct>;

export const AdminProductSummary = z
  .object({
    id: z.string(),
    slug: z.string(),
    merchantId: z.string(),
    title: z.string(),
    brand: z.string(),
    status: z.enum(PRODUCT_STATUSES),
    flashSale: z.boolean(),
    category: CategoryRef,
    price: Money.describe("Lowest variant price"),
    image: ImageRef.nullable(),
    variantCount: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "AdminProductSummary" });

export const AdminProductPage = z
  .object({ items: z.array(AdminProductSummary), nextCursor: z.string().nullable() })
  .meta({ id: "AdminProductPage" });
export type AdminProductPage = z.infer<typeof AdminProductPage>;

export const AdminListRequest = z.object({
  q: z.string().trim().min(1).max(100).optional().describe("Words in the title, brand, description or attributes"),
  status: z.enum(PRODUCT_STATUSES, { error: 'status is "draft", "active" or "archived"' }).optional(),
  limit: z.coerce
    .number({ error: "limit must be a whole number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(100, "limit must be at most 100")
    .default(25),
  cursor: z.string().min(1).max(200).optional(),
  merchantId: z.string().min(1).max(64).optional().describe("Platform admins: one merchant's products (a merchant may name only itself)"),
});
export type AdminListRequest = z.infer<typeof AdminListRequest>;

export const ImagePatch = z
  .object({
    alt: z.string().trim().max(300, "alt is at most 300 characters"),
    position: z.number().int().min(0).max(100),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, "send alt or position")
  .meta({ id: "ImagePatch" });

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const IMAGE_KEY_PREFIX = "products/";
// A product image's name in the admin API: its content hash and extension (the R2 key without the prefix).
export const ImageKey = z.string().regex(/^[a-f0-9]{64}\.(png|jpg|gif|webp)$/, "not an image key");

/** Which SKU belongs to whom: the admin's ownership check before it touches an Inventory object. */
export type SkuOwner = { sku: string; productId: string; merchantId: string; archived: boolean };
