import type { SellResult, UndoResult } from "#schema/inventory.ts";
import type { CallContext } from "#shared/request-id.ts";

/** The Inventory objects' calls this client makes (their contract is schema/inventory.ts), one object per SKU. */
type InventoryObject = {
  sell(holdId: string, quantity: number, owner: string, call?: CallContext): Promise<SellResult>;
  undo(holdId: string, releaseActive: boolean, call?: CallContext): Promise<UndoResult>;
};
type Inventories = { getByName(sku: string): InventoryObject };

export type Line = { sku: string; quantity: number };
export type SoldLine = Line & { holdId: string };
export type Shortfall = { sku: string; requested: number; available: number };
export type SellAllResult = { ok: true; sold: SoldLine[] } | { ok: false; shortfalls: Shortfall[] };

export const holdIdFor = (prefix: string, sku: string): string => `${prefix}:${sku}`;

async function undoWithRetry(stub: InventoryObject, holdId: string, call?: CallContext): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await stub.undo(holdId, true, call);
      return;
    } catch (err) {
      if (attempt === 2) throw err;
    }
  }
}

/**
 * Sells every line or none: each SKU's object sells its line in one call, all in parallel, and if any line
 * cannot be sold, the lines that were are put back before answering. Sale ids derive from `prefix`, so a
 * retry of the same checkout finds its own sales instead of selling again. A call that failed (thrown) may
 * or may not have landed: the failure is thrown as it is, for the caller to retry under the same ids (or undo
 * by them), rather than guessed at here.
 */
export async function sellAll(
  inventory: Inventories,
  lines: Line[],
  options: { prefix: string; owner: string; call?: CallContext },
): Promise<SellAllResult> {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.sku, (merged.get(l.sku) ?? 0) + l.quantity);
  const wanted = [...merged].map(([sku, quantity]) => ({ sku, quantity, holdId: holdIdFor(options.prefix, sku) }));
  const attempts = await Promise.allSettled(
    wanted.map((w) => inventory.getByName(w.sku).sell(w.holdId, w.quantity, options.owner, options.call)),
  );
  const failed = attempts.find((a) => a.status === "rejected");
  if (failed !== undefined) throw failed.reason;

  const sold: SoldLine[] = [];
  const shortfalls: Shortfall[] = [];
  for (const [i, attempt] of attempts.entries()) {
    const line = wanted[i];
    if (line === undefined || attempt.status === "rejected") continue;
    if (attempt.value.ok) sold.push(line);
    else shortfalls.push({ sku: line.sku, requested: line.quantity, available: attempt.value.stock.available });
  }
  if (shortfalls.length === 0) return { ok: true, sold };
  await Promise.all(sold.map((s) => undoWithRetry(inventory.getByName(s.sku), s.holdId, options.call)));
  return { ok: false, shortfalls };
}
