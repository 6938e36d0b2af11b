import type { StockLevel } from "../../../schema/inventory.ts";
import type { CallContext } from "../../../workers/shared/src/request-id.ts";
import type { Inventory } from "./inventory.ts";

export type Line = { sku: string; quantity: number };
export type HeldLine = Line & { holdId: string; expiresAt: number };
export type Shortfall = { sku: string; requested: number; available: number };
export type HoldAllResult = { ok: true; holds: HeldLine[] } | { ok: false; shortfalls: Shortfall[] };

export const holdIdFor = (prefix: string, sku: string): string => `${prefix}:${sku}`;

async function releaseWithRetry(stub: DurableObjectStub<Inventory>, holdId: string, call?: CallContext): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await stub.release(holdId, call);
      return;
    } catch (err) {
      if (attempt === 2) throw err;
    }
  }
}

/**
 * Holds every line or none: each SKU's object is asked in parallel, and if any line cannot be held, the
 * lines that were are released before answering. Hold ids derive from `prefix`, so retrying the same
 * checkout finds its own holds instead of taking more. Should a release itself keep failing, the hold
 * still ends at its TTL: nothing is held for longer than `ttlMs`.
 */
export async function holdAll(
  inventory: DurableObjectNamespace<Inventory>,
  lines: Line[],
  options: { prefix: string; ttlMs: number; owner: string; call?: CallContext },
): Promise<HoldAllResult> {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.sku, (merged.get(l.sku) ?? 0) + l.quantity);
  const wanted = [...merged];
  const attempts = await Promise.allSettled(
    wanted.map(async ([sku, quantity]) => {
      const holdId = holdIdFor(options.prefix, sku);
      const result = await inventory.getByName(sku).hold(holdId, quantity, options.ttlMs, options.owner, undefined, options.call);
      return { sku, quantity, holdId, result };
    }),
  );

  const held: HeldLine[] = [];
  const shortfalls: Shortfall[] = [];
  let failure: unknown;
  for (const [i, attempt] of attempts.entries()) {
    const [sku, quantity] = wanted[i] ?? ["", 0];
    if (attempt.status === "rejected") {
      failure ??= attempt.reason;
      // The call may have landed before it failed: release by id to be sure nothing stays held.
      held.push({ sku, quantity, holdId: holdIdFor(options.prefix, sku), expiresAt: 0 });
      continue;
    }
    const { result } = attempt.value;
    if (result.ok) held.push({ sku, quantity, holdId: attempt.value.holdId, expiresAt: result.hold.expiresAt });
    else shortfalls.push({ sku, requested: quantity, available: (result.stock as StockLevel).available });
  }
  if (shortfalls.length === 0 && failure === undefined) return { ok: true, holds: held };

  await Promise.all(held.map((h) => releaseWithRetry(inventory.getByName(h.sku), h.holdId, options.call)));
  if (failure !== undefined) throw failure;
  return { ok: false, shortfalls };
}
