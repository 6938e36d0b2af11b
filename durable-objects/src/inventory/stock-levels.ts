import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import type { StockLevel } from "#schema/inventory.ts";

const Skus = z.array(z.string().min(1).max(64)).max(100);

/**
 * Live stock of several SKUs in one call (a product page's variants): one hop from the caller, then every SKU's
 * Inventory object asked at once, here beside them. A SKU whose object does not answer is left out, so the caller
 * shows its snapshot for that one and live figures for the rest.
 */
export class StockLevels extends WorkerEntrypoint<DurableObjectsEnv> {
  async levels(skus: unknown): Promise<Record<string, StockLevel>> {
    const parsed = Skus.safeParse(skus);
    if (!parsed.success) return {};
    const answers = await Promise.allSettled(parsed.data.map((sku) => this.env.INVENTORY.getByName(sku).stock()));
    const levels: Record<string, StockLevel> = {};
    for (const [i, answer] of answers.entries()) {
      const sku = parsed.data[i];
      if (sku !== undefined && answer.status === "fulfilled") {
        const { onHand, held, available } = answer.value;
        levels[sku] = { sku, onHand, held, available };
      }
    }
    return levels;
  }
}
