import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
// The checkout's Inventory client (the orders Worker's), against real Inventory objects.
import { sellAll } from "../../workers/orders/src/checkout/inventory-client.ts";

describe("sellAll", () => {
  it("sells every line or none", async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const [a, b] = [`A-${run}`, `B-${run}`];
    await env.INVENTORY.getByName(a).restock("opening", 5, "test", "opening");
    await env.INVENTORY.getByName(b).restock("opening", 1, "test", "opening");

    const failed = await sellAll(
      env.INVENTORY,
      [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 2 },
      ],
      { prefix: "co-1", owner: "order:1" },
    );
    expect(failed).toEqual({ ok: false, shortfalls: [{ sku: b, requested: 2, available: 1 }] });
    expect((await env.INVENTORY.getByName(a).stock()).available).toBe(5);

    const sold = await sellAll(
      env.INVENTORY,
      [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 1 },
      ],
      { prefix: "co-2", owner: "order:2" },
    );
    expect(sold.ok).toBe(true);
    // A retried checkout finds its own sales rather than selling again.
    const again = await sellAll(
      env.INVENTORY,
      [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 1 },
      ],
      { prefix: "co-2", owner: "order:2" },
    );
    expect(again.ok).toBe(true);
    expect(await env.INVENTORY.getByName(a).stock()).toMatchObject({ onHand: 3, held: 0, available: 3 });
    expect(await env.INVENTORY.getByName(b).stock()).toMatchObject({ onHand: 0, held: 0, available: 0 });
  });

  it("under contention, no SKU goes negative and no cart keeps a partial sale", async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const skus = ["P", "Q", "R", "S"].map((s) => `${s}-${run}`);
    const onHand = [30, 20, 25, 10];
    await Promise.all(skus.map((s, i) => env.INVENTORY.getByName(s).restock("opening", onHand[i] ?? 0, "test", "opening")));

    // 120 carts, each wanting 1–3 units of two or three overlapping SKUs.
    const carts = Array.from({ length: 120 }, (_, c) =>
      [0, 1, 2, 3]
        .filter((i) => (c + i) % 4 !== 0)
        .slice(0, 2 + (c % 2))
        .map((i) => ({ sku: skus[i] ?? "", quantity: 1 + ((c + i) % 3) })),
    );
    const results = await Promise.all(
      carts.map((lines, c) => sellAll(env.INVENTORY, lines, { prefix: `order-${c}`, owner: `order:${c}` })),
    );

    const levels = await Promise.all(skus.map((s) => env.INVENTORY.getByName(s).snapshot(500)));
    for (const [i, level] of levels.entries()) {
      expect(level.onHand).toBeGreaterThanOrEqual(0);
      expect(level.held).toBe(0);
      // What left the shelf is exactly what the winning carts asked for: a loser's partial sales were put back.
      const expected = results.reduce(
        (n, r, c) => n + (r.ok ? (carts[c]?.filter((l) => l.sku === skus[i]).reduce((m, l) => m + l.quantity, 0) ?? 0) : 0),
        0,
      );
      expect((onHand[i] ?? 0) - level.onHand).toBe(expected);
    }
    expect(results.some((r) => !r.ok)).toBe(true);
    expect(results.some((r) => r.ok)).toBe(true);
  });
});
