import { z } from "zod";
import { loadDemoShop } from "./load.ts";

// A local-only Worker (never deployed) that `npm start` binds to the catalog's D1 and R2 so the demo shop
// is written from inside workerd: through Miniflare's Node proxy every statement would be a round trip.
type OpeningStock = { restock(opId: string, quantity: number, reason: string, kind: "opening"): Promise<unknown> };
type SeederEnv = { DB: D1Database; ASSETS: R2Bucket; INVENTORY?: { getByName(sku: string): OpeningStock } };

const LoadRequest = z.object({
  size: z.coerce.number().int().min(1).max(1_000_000).optional(),
  seed: z.coerce.number().int().optional(),
  imagePool: z.coerce.number().int().min(1).optional(),
  stock: z.enum(["true", "false"]).default("true"),
});

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/demo-shop") return new Response("not found", { status: 404 });
    const { stock, ...options } = LoadRequest.parse(Object.fromEntries(url.searchParams));
    const inventory = stock === "true" ? env.INVENTORY : undefined;
    const openingStock =
      inventory === undefined
        ? undefined
        : (sku: string, quantity: number) => inventory.getByName(sku).restock("opening", quantity, "demo shop opening balance", "opening");
    return Response.json(await loadDemoShop(env.DB, env.ASSETS, { ...options, openingStock }));
  },
} satisfies ExportedHandler<SeederEnv>;
