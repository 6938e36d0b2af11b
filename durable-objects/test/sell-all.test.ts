import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { holdAll } from "../src/inventory/hold-all.ts";

const TTL = 60_000;

describe("holdAll", () => {
  it("holds every line or none", async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const [a, b] = [`A-${run}`, `B-${run}`];
    await env.INVENTORY.getByName(a).restock("opening", 5, "test", "opening");
    await env.INVENTORY.getByName(b).restock("opening", 1, "test", "opening");

    const failed = await holdAll(
      env.INVENTORY,
      [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 2 },
      ],
      { prefix: "co-1", ttlMs: TTL, owner: "cart:x" },
    );
    expect(failed).toEqual({ ok: false, shortfalls: [{ sku: b, requested: 2, available: 1 }] });
    expect((await env.INVENTORY.getByName(a).stock()).available).toBe(5);

    const held = await holdAll(
      env.INVENTORY,
      [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 1 },
      ],
      { prefix: "co-2", ttlMs: TTL, owner: "cart:x" },
    );
    expect(held.ok).toBe(true);
    // A retried checkout finds its own holds rather than taking more.
    const again = await holdAll(
      env.INVENTORY,
      [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 1 },
      ],
      { prefix: "co-2", ttlMs: TTL, owner: "cart:x" },
    );
    expect(again.ok).toBe(true);
    expect((await env.INVENTORY.getByName(a).stock()).available).toBe(3);
    expect((await env.INVENTORY.getByName(b).stock()).available).toBe(0);
  });

  it("under contention, no SKU goes negative and no cart keeps a partial hold", async () => {
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
      carts.map((lines, c) => holdAll(env.INVENTORY, lines, { prefix: `cart-${c}`, ttlMs: TTL, owner: `cart:${c}` })),
    );

    const levels = await Promise.all(skus.map((s) => env.INVENTORY.getByName(s).snapshot(500)));
    for (const [i, level] of levels.entries()) {
      expect(level.available).toBeGreaterThanOrEqual(0);
      expect(level.held).toBeLessThanOrEqual(onHand[i] ?? 0);
      // What is held is exactly what the winning carts asked for.
      const expected = results.reduce(
        (n, r, c) => n + (r.ok ? (carts[c]?.filter((l) => l.sku === skus[i]).reduce((m, l) => m + l.quantity, 0) ?? 0) : 0),
        0,
      );
      expect(level.held).toBe(expected);
    }
    // Every losing cart holds nothing anywhere.
    const losers = new Set(results.flatMap((r, c) => (r.ok ? [] : [`cart:${c}`])));
    expect(losers.size).toBeGreaterThan(0);
    expect(levels.flatMap((l) => l.holds).filter((h) => losers.has(h.owner))).toEqual([]);
    expect(results.some((r) => r.ok)).toBe(true);
  });
});
