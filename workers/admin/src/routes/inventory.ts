import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { SkuInput, type SkuOwner } from "#schema/catalog/admin-dto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { createRouter } from "#shared/edge-app.ts";
import { ProblemError } from "#shared/problem.ts";
import { unwrap } from "#shared/result.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { merchantOnly } from "../guards.ts";
import { callOf, scopeOf } from "./context.ts";

const StockView = z
  .object({
    sku: z.string(),
    productId: z.string(),
    onHand: z.number().int(),
    held: z.number().int(),
    available: z.number().int(),
    holds: z.array(z.object({ holdId: z.string(), quantity: z.number().int(), status: z.string(), expiresAt: z.number().int() })),
    movements: z.array(
      z.object({
        opId: z.string(),
        kind: z.string(),
        delta: z.number().int(),
        reason: z.string(),
        holdId: z.string().nullable(),
        at: z.number().int(),
      }),
    ),
    retiredAt: z
      .number()
      .int()
      .nullable()
      .describe("When the variant was removed from its product (ms since the epoch): from then on nothing can hold or adjust it"),
  })
  .meta({ id: "StockView" });

const Adjustment = z
  .object({
    delta: z
      .number({ error: "delta must be a whole number" })
      .int("delta must be a whole number")
      .min(-1_000_000)
      .max(1_000_000)
      .refine((d) => d !== 0, "delta must not be 0"),
    reason: z
      .string({ error: "reason is required" })
      .trim()
      .min(1, "reason must not be empty")
      .max(200, "reason is at most 200 characters"),
  })
  .strict()
  .meta({ id: "StockAdjustment" });

const sku = z.object({ sku: SkuInput.describe("The variant's SKU") });
const notFound = problemDoc("No such SKU, or another merchant's (never a 403)");

const routes = {
  get: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/inventory/{sku}",
      summary: "Live stock of one SKU: on hand, held by carts and checkouts, available; active holds; recent movements",
      request: { params: sku },
      responses: { 200: { description: "Stock", content: { "application/json": { schema: StockView } } }, 404: notFound },
    }),
    merchantOnly,
  ),
  adjust: guarded(
    createRoute({
      method: "post",
      path: "/admin/v1/inventory/{sku}/adjustments",
      summary: "Add or remove stock with a reason (an Idempotency-Key header makes a retry safe)",
      request: {
        params: sku,
        headers: z.object({ "idempotency-key": z.string().min(8).max(100).optional() }),
        body: { required: true, content: { "application/json": { schema: Adjustment } } },
      },
      responses: {
        200: { description: "Stock after the adjustment", content: { "application/json": { schema: StockView } } },
        400: problemDoc("Bad input, naming the field"),
        404: notFound,
        409: problemDoc("On hand would fall below what carts and checkouts hold, or the variant was removed (its stock is frozen)"),
      },
    }),
    merchantOnly,
  ),
};

/** The SKU's owner, if the caller's merchant owns it: the check made before any Inventory object is touched. */
async function ownedSku(c: Context<EdgeEnv<AdminEnv>>, skuName: string): Promise<SkuOwner> {
  const owners = unwrap(await c.env.CATALOG.skuOwners([skuName], callOf(c)));
  const owner = owners[skuName];
  const scope = scopeOf(c);
  if (owner === undefined || (scope !== null && owner.merchantId !== scope)) throw new ProblemError(404, `no SKU ${skuName}`);
  return owner;
}

export const inventoryRoutes = createRouter<AdminEnv>()
  .openapi(routes.get, async (c) => {
    const { sku: name } = c.req.valid("param");
    const { productId } = await ownedSku(c, name);
    const snapshot = await c.env.INVENTORY.getByName(name).snapshot(20);
    c.header("Cache-Control", "no-store");
    return c.json({ ...snapshot, sku: name, productId }, 200);
  })
  .openapi(routes.adjust, async (c) => {
    const { sku: name } = c.req.valid("param");
    const { delta, reason } = c.req.valid("json");
    const { productId, archived } = await ownedSku(c, name);
    const opId = `admin:${c.req.valid("header")["idempotency-key"] ?? crypto.randomUUID()}`;
    // The check (on hand stays at or above what is held; not retired) and the change are one call on the SKU's object.
    const inventory = c.env.INVENTORY.getByName(name);
    // An archived variant's object is retired already, unless that step of its removal failed: then it is now.
    if (archived) await inventory.retire();
    const result = await inventory.adjust(opId, delta, reason);
    if (!result.ok) {
      if (result.reason === "invalid") throw new ProblemError(result.problem);
      if (result.reason === "retired")
        throw new ProblemError(409, `SKU ${name} was removed from its product: its stock is frozen and its history kept`, [
          { field: "sku", message: "this variant was removed (archived); it can no longer be adjusted" },
        ]);
      throw new ProblemError({
        ...new ProblemError(
          409,
          `on hand would be ${result.stock.onHand + delta}, below the ${result.stock.held} held by carts and checkouts`,
        ).problem,
        extensions: { onHand: result.stock.onHand, held: result.stock.held },
      });
    }
    return c.json({ ...(await inventory.snapshot(20)), sku: name, productId }, 200);
  });
