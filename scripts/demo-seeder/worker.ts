import { z } from "zod";
import { loadDemoShop } from "../../workers/catalog/seed/load.ts";
import { loadDemoAccounts } from "../../workers/identity/seed/demo-accounts.ts";

// A local-only Worker (never deployed) that `npm start` binds to the catalog's D1 and R2, the Inventory
// objects and identity's D1, so the demo shop and accounts are written from inside workerd: through
// Miniflare's Node proxy every statement would be a round trip.
type OpeningStock = { restock(opId: string, quantity: number, reason: string, kind: "opening"): Promise<unknown> };
type SeederEnv = { DB: D1Database; ASSETS: R2Bucket; INVENTORY: { getByName(sku: string): OpeningStock }; IDENTITY_DB: D1Database };

const ShopRequest = z.object({
  size: z.coerce.number().int().min(1).max(1_000_000).optional(),
  seed: z.coerce.number().int().optional(),
  imagePool: z.coerce.number().int().min(1).optional(),
  stock: z.enum(["true", "false"]).default("true"),
});

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/demo-shop") {
      const { stock, ...options } = ShopRequest.parse(Object.fromEntries(url.searchParams));
      const openingStock =
        stock === "true"
          ? (sku: string, quantity: number) =>
              env.INVENTORY.getByName(sku).restock("opening", quantity, "demo shop opening balance", "opening")
          : undefined;
      return Response.json(await loadDemoShop(env.DB, env.ASSETS, { ...options, openingStock }));
    }
    if (request.method === "POST" && url.pathname === "/demo-accounts") {
      return Response.json({ accounts: await loadDemoAccounts(env.IDENTITY_DB) });
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<SeederEnv>;
