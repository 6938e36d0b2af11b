import { z } from "zod";
import type { Problem } from "./problem.ts";

// The Inventory object's RPC contract, shared by its callers (cart, checkout, admin, seeder).
// `reversal`: a sale whose checkout was undone (its units back on hand).
export const MOVEMENT_KINDS = ["opening", "sale", "restock", "return", "adjustment", "correction", "reversal"] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

// `reversed`: a committed hold whose sale was undone (a checkout refused after committing it).
export const HOLD_STATUSES = ["active", "released", "committed", "expired", "reversed"] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

export const OpId = z.string().min(1).max(200);
export const Quantity = z.number().int().min(1).max(1_000_000);
export const Delta = z
  .number()
  .int("delta must be a whole number")
  .min(-1_000_000)
  .max(1_000_000)
  .refine((d) => d !== 0, "delta must not be 0");
export const HoldOptions = z.object({
  replaces: OpId.optional(),
  shopper: z.string().min(1).max(200).optional(),
  maxPerShopper: z.number().int().min(1).optional(),
});
export type HoldOptions = z.infer<typeof HoldOptions>;
export const TtlMs = z
  .number()
  .int()
  .min(1_000)
  .max(24 * 3600_000);

export type Hold = { holdId: string; quantity: number; owner: string; status: HoldStatus; expiresAt: number };
export type StockLevel = { sku: string; onHand: number; held: number; available: number };

/** Arguments that failed their schema: the problem names each field. */
export type Invalid = { ok: false; reason: "invalid"; problem: Problem; stock: StockLevel };

export type HoldResult =
  | { ok: true; hold: Hold; stock: StockLevel }
  | { ok: false; reason: "insufficient"; requested: number; stock: StockLevel }
  | { ok: false; reason: "not_active"; hold: Hold; stock: StockLevel }
  /** The shopper already holds `held` of this SKU; `limit` is the most one shopper may. */
  | { ok: false; reason: "limit"; limit: number; held: number; stock: StockLevel }
  | Invalid;

export type ReleaseResult = { released: boolean; hold: Hold | null; stock: StockLevel };
/** What undoing a hold did: released it (it was active), put its sold units back (it was committed), or nothing. */
export type UndoResult = { undone: "released" | "reversed" | "nothing"; hold: Hold | null; stock: StockLevel };
export type CommitResult =
  | { ok: true; hold: Hold; stock: StockLevel }
  | { ok: false; reason: "unknown_hold" | "not_active"; hold: Hold | null; stock: StockLevel };
/** A sale in one call (checkout): the hold it made or found, committed; or why nothing was sold. */
export type SellResult =
  | { ok: true; hold: Hold; stock: StockLevel }
  | { ok: false; reason: "insufficient"; requested: number; stock: StockLevel }
  /** The id names a hold that ended otherwise (released, expired, reversed): it is not sold again. */
  | { ok: false; reason: "not_active"; hold: Hold; stock: StockLevel }
  | Invalid;
export type AdjustResult =
  | { ok: true; stock: StockLevel }
  | { ok: false; reason: "below_held"; stock: StockLevel }
  /** The SKU was retired (its variant removed): its stock is frozen but for sales and returns already under way. */
  | { ok: false; reason: "retired"; stock: StockLevel }
  | Invalid;
/** What a retired SKU had when it retired (repeating `retire` answers the same moment with today's figures). */
export type RetireResult = { retiredAt: number; stock: StockLevel; activeHolds: number; movements: number };

export type Movement = { opId: string; kind: MovementKind; delta: number; reason: string; holdId: string | null; at: number };
export type InventorySnapshot = StockLevel & { holds: Hold[]; movements: Movement[]; retiredAt: number | null };
