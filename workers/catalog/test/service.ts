import { createExecutionContext, env } from "cloudflare:test";
import { loadDemoShop } from "../seed/load.ts";
import { CatalogService } from "../src/index.ts";

export const TEST_SHOP_SIZE = 150;
export const call = { requestId: "test-request" };

/** The catalog's RPC entrypoint as another Worker would call it, over this test's real D1 and R2. */
export function catalogService(): CatalogService {
  return new CatalogService(createExecutionContext(), env);
}

export async function withDemoShop(): Promise<void> {
  await loadDemoShop(env.DB, env.ASSETS, { size: TEST_SHOP_SIZE });
}
