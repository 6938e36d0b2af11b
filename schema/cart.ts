import { z } from "zod";
import { sha256Hex } from "#shared/crypto.ts";
import { Money } from "./money.ts";

export const MAX_LINE_QUANTITY = 99;
export const MAX_CART_LINES = 50;

export const CartQuantity = z
  .number({ error: "quantity must be a whole number" })
  .int("quantity must be a whole number")
  .min(1, "quantity must be at least 1")
  .max(MAX_LINE_QUANTITY, `quantity must be at most ${MAX_LINE_QUANTITY}`);
export const Sku = z.string().trim().min(1, "sku is required").max(64, "sku is at most 64 characters");

export const AddItemBody = z.object({ sku: Sku, quantity: CartQuantity }).meta({ id: "AddCartItem" });
export const SetItemBody = z.object({ quantity: CartQuantity }).meta({ id: "SetCartItem" });

export const CartLine = z
  .object({
    sku: z.string(),
    productSlug: z.string(),
    title: z.string(),
    quantity: z.number().int(),
    unitPrice: Money,
    lineTotal: Money,
    purchasable: z.boolean(),
    priceChanged: z.object({ from: Money }).optional().describe("Present when the catalog price changed since the item was added"),
    heldUntil: z.iso.datetime().optional().describe("Flash-sale items: stock is held for this cart until then"),
  })
  .meta({ id: "CartLine" });
export type CartLine = z.infer<typeof CartLine>;

export const CartView = z
  .object({
    id: z.string(),
    items: z.array(CartLine),
    itemCount: z.number().int(),
    subtotal: Money,
    expiresAt: z.iso.datetime().describe("When the cart is dropped if nobody touches it"),
  })
  .meta({ id: "Cart" });
export type CartView = z.infer<typeof CartView>;

export const NewCart = CartView.extend({
  token: z.string().nullable().describe("Send as X-Cart-Token with every call for this cart (null for a signed-in shopper's own cart)"),
}).meta({ id: "NewCart" });

/** Who is asking: the guest cart's token, or the signed-in shopper who owns the cart. */
export type CartAccess = { token?: string | undefined; userId?: string | undefined };

/**
 * A cart call's context: the request id, and the shopper flash-sale limits count against (`user:<id>` when
 * signed in, else the client's key), so one person cannot corner a flash SKU through many carts.
 */
export type CartCall = { requestId: string; shopper?: string };

/** A signed-in shopper's cart id, derived from the user id: one cart per shopper, found again on any device. */
export async function userCartId(userId: string): Promise<string> {
  return `crt_${(await sha256Hex(`cart:${userId}`)).slice(0, 22)}`;
}

/** What a cart id looks like (guest ids are random, shoppers' derived); anything else is no cart. */
export const CART_ID = /^crt_[A-Za-z0-9_-]{22}$/;

/**
 * A line as checkout sees it: today's catalog price and merchant, and the flash-sale hold the cart already has
 * (extended to outlive the checkout), which checkout commits instead of taking another.
 */
export type CheckoutLine = {
  sku: string;
  productSlug: string;
  title: string;
  quantity: number;
  unitPrice: { amount: number; currency: string };
  merchantId: string;
  department: string;
  cartHoldId: string | null;
};
/** Lines checkout cannot sell: gone from the catalog, not for sale, or a flash-sale hold that could not be renewed. */
export type CheckoutRefusal = { sku: string; requested: number; available: number; reason: "unavailable" | "insufficient" | "limit" };

/** A guest cart to fold into the shopper's own cart at sign-in. */
export const GuestCartRef = z
  .object({ id: z.string().max(64), token: z.string().max(128) })
  .describe("The guest cart to merge into your cart");
