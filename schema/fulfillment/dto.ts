import { z } from "zod";
import { RETURN_STATUSES, SHIPMENT_STATUSES } from "../events.ts";
import { Money } from "../money.ts";

// Shipments, returns and the carrier webhook as the shopper and merchant APIs show and take them (docs/api.md).

const ItemCount = z.object({ sku: z.string(), quantity: z.number().int() });

export const ShipmentDetail = z
  .object({
    id: z.string(),
    orderId: z.string(),
    merchantId: z.string(),
    status: z.enum(SHIPMENT_STATUSES),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    items: z.array(ItemCount),
    createdAt: z.iso.datetime(),
    shippedAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "ShipmentDetail" });
export type ShipmentDetail = z.infer<typeof ShipmentDetail>;

export const ShipmentList = z.object({ items: z.array(ShipmentDetail) }).meta({ id: "ShipmentList" });

const label = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} is at most ${max} characters`);

export const ShipBody = z
  .object({
    carrier: label("carrier", 40),
    trackingNumber: label("trackingNumber", 64).regex(/^[A-Za-z0-9-]+$/, "trackingNumber takes letters, digits and dashes only"),
  })
  .meta({ id: "ShipBody" });
export type ShipBody = z.infer<typeof ShipBody>;

export const ReturnLineInput = z.object({
  sku: z.string({ error: "lines[].sku is required" }).min(1, "lines[].sku is required").max(64),
  quantity: z
    .number({ error: "lines[].quantity must be a whole number from 1" })
    .int("lines[].quantity must be a whole number from 1")
    .min(1, "lines[].quantity must be a whole number from 1")
    .max(1000),
});

export const ReturnBody = z
  .object({
    lines: z.array(ReturnLineInput).min(1, "name at least one line to return").max(100, "at most 100 lines"),
    reason: label("reason", 500),
  })
  .meta({ id: "ReturnBody" });
export type ReturnBody = z.infer<typeof ReturnBody>;

export const ReturnView = z
  .object({
    id: z.string(),
    orderId: z.string(),
    merchantId: z.string(),
    status: z.enum(RETURN_STATUSES),
    reason: z.string(),
    items: z.array(ItemCount),
    refund: Money.nullable().describe("What was (or will be) refunded: the returned lines' share of price and tax"),
    refundId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Return" });
export type ReturnView = z.infer<typeof ReturnView>;

export const ReturnCreated = z
  .object({
    return: ReturnView,
    returns: z.array(ReturnView).describe("One return per merchant whose lines are returned (the first is `return`)"),
  })
  .meta({ id: "ReturnCreated" });

export const ReturnList = z.object({ items: z.array(ReturnView) }).meta({ id: "ReturnList" });

/** What a carrier posts about a parcel. */
export const CarrierEvent = z
  .object({
    id: z.string().min(1).max(128).describe("The carrier's event id: a resent delivery changes nothing"),
    trackingNumber: z.string().min(1).max(64),
    carrier: z
      .string({ error: "carrier is required: a tracking number names a parcel only together with its carrier" })
      .min(1)
      .max(40)
      .describe("The carrier, as the merchant named it when shipping (any case)"),
    status: z.enum(["in_transit", "out_for_delivery", "delivered", "exception"]),
    occurredAt: z.iso.datetime().optional(),
  })
  .meta({ id: "CarrierEvent" });
export type CarrierEvent = z.infer<typeof CarrierEvent>;
