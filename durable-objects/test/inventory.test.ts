import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Inventory } from "../src/inventory/inventory.ts";

const TTL = 60_000;
let n = 0;
/** A fresh SKU per test: each Inventory object is its own little database. */
async function sku(onHand: number): Promise<DurableObjectStub<Inventory>> {
  const stub = env.INVENTORY.getByName(`TEST-${++n}-${crypto.randomUUID().slice(0, 8)}`);
  if (onHand > 0) await stub.restock("opening", onHand, "test opening", "opening");
  return stub;
}

/** Moves every active hold's expiry into the past, as if the TTL had run out. */
const expireHolds = (stub: DurableObjectStub<Inventory>) =>
  runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE status = 'active'", Date.now() - 1);
  });

describe("Inventory", () => {
  it("holds, and available = on hand − active holds", async () => {
    const stock = await sku(10);
    const held = await stock.hold("h1", 3, TTL, "cart:a");
    expect(held).toMatchObject({
      ok: true,
      hold: { holdId: "h1", quantity: 3, status: "active" },
      stock: { onHand: 10, held: 3, available: 7 },
    });
    const short = await stock.hold("h2", 8, TTL, "cart:b");
    expect(short).toMatchObject({ ok: false, reason: "insufficient", requested: 8, stock: { available: 7 } });
    expect(await stock.stock()).toMatchObject({ onHand: 10, held: 3, available: 7 });
  });

  it("sell takes and commits in one call: repeatable by id, never past what is available, undone like a commit", async () => {
    const stock = await sku(5);
    await stock.hold("cart:x:1", 2, TTL, "cart:x");
    const sold = await stock.sell("order:1:a", 3, "order:1");
    expect(sold).toMatchObject({
      ok: true,
      hold: { holdId: "order:1:a", quantity: 3, status: "committed" },
      stock: { onHand: 2, held: 2, available: 0 },
    });
    // The same id again is the same sale, not a second one.
    expect(await stock.sell("order:1:a", 3, "order:1")).toMatchObject({ ok: true, stock: { onHand: 2 } });
    // The cart's hold is not for sale to another checkout.
    expect(await stock.sell("order:2:a", 1, "order:2")).toMatchObject({
      ok: false,
      reason: "insufficient",
      requested: 1,
      stock: { available: 0 },
    });
    const { movements } = await stock.snapshot();
    expect(movements.filter((m) => m.kind === "sale")).toEqual([expect.objectContaining({ opId: "sale:order:1:a", delta: -3 })]);
    expect(await stock.undo("order:1:a", true)).toMatchObject({ undone: "reversed", stock: { onHand: 5, held: 2 } });
    // A sale undone stays undone: selling under its id again sells nothing.
    expect(await stock.sell("order:1:a", 3, "order:1")).toMatchObject({ ok: false, reason: "not_active" });
    expect((await stock.stock()).onHand).toBe(5);
  });

  it("sell commits a hold already taken under its id (a checkout begun before sell existed), and refuses a lapsed one", async () => {
    const stock = await sku(4);
    await stock.hold("order:3:a", 2, TTL, "order:3");
    expect(await stock.sell("order:3:a", 2, "order:3")).toMatchObject({ ok: true, stock: { onHand: 2, held: 0, available: 2 } });
    await stock.hold("order:4:a", 1, TTL, "order:4");
    await expireHolds(stock);
    expect(await stock.sell("order:4:a", 1, "order:4")).toMatchObject({ ok: false, reason: "not_active", hold: { status: "expired" } });
    expect(await stock.stock()).toMatchObject({ onHand: 2, held: 0, available: 2 });
  });

  it("sell refuses bad arguments and a retired SKU", async () => {
    const stock = await sku(3);
    expect(await stock.sell("order:5:a", 0, "order:5")).toMatchObject({ ok: false, reason: "invalid" });
    await stock.retire();
    expect(await stock.sell("order:5:a", 1, "order:5")).toMatchObject({
      ok: false,
      reason: "insufficient",
      stock: { onHand: 3, available: 0 },
    });
  });

  it("undo releases an active hold, puts a committed one's units back once, and leaves a cart's active hold alone", async () => {
    const stock = await sku(10);
    await stock.hold("order:1:a", 2, TTL, "order:1");
    expect(await stock.undo("order:1:a", true)).toMatchObject({ undone: "released", stock: { onHand: 10, held: 0 } });
    await stock.hold("order:2:a", 3, TTL, "order:2");
    await stock.commit("order:2:a");
    expect((await stock.stock()).onHand).toBe(7);
    expect(await stock.undo("order:2:a", true)).toMatchObject({ undone: "reversed", hold: { status: "reversed" }, stock: { onHand: 10 } });
    // Again: nothing more comes back, and a reversed hold can be neither committed nor released.
    expect(await stock.undo("order:2:a", true)).toMatchObject({ undone: "nothing", stock: { onHand: 10, held: 0 } });
    expect(await stock.commit("order:2:a")).toMatchObject({ ok: false, reason: "not_active" });
    // A cart's flash-sale hold that checkout did not commit stays the cart's.
    await stock.hold("cart:x:a:1", 1, TTL, "cart:x");
    expect(await stock.undo("cart:x:a:1", false)).toMatchObject({ undone: "nothing", stock: { held: 1 } });
    expect(await stock.undo("never-held", true)).toMatchObject({ undone: "nothing", hold: null });
    const kinds = (await stock.snapshot()).movements.map((m) => [m.kind, m.delta]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ["sale", -3],
        ["reversal", 3],
      ]),
    );
  });

  it("answers every repeated call the same and changes nothing the second time", async () => {
    const stock = await sku(5);
    const first = await stock.hold("h1", 2, TTL, "cart:a");
    expect(await stock.hold("h1", 2, TTL, "cart:a")).toEqual(first);
    expect((await stock.stock()).available).toBe(3);

    expect(await stock.commit("h1")).toMatchObject({ ok: true, stock: { onHand: 3, held: 0, available: 3 } });
    expect(await stock.commit("h1")).toMatchObject({ ok: true, stock: { onHand: 3, available: 3 } });
    expect(await stock.release("h1")).toMatchObject({ released: false, stock: { onHand: 3 } });

    await stock.hold("h2", 1, TTL, "cart:b");
    expect(await stock.release("h2")).toMatchObject({ released: true, stock: { available: 3 } });
    expect(await stock.release("h2")).toMatchObject({ released: false, stock: { available: 3 } });
    expect(await stock.hold("h2", 1, TTL, "cart:b")).toMatchObject({ ok: false, reason: "not_active" });

    expect(await stock.restock("delivery-42", 10, "supplier delivery")).toMatchObject({ ok: true, stock: { onHand: 13 } });
    expect(await stock.restock("delivery-42", 10, "supplier delivery")).toMatchObject({ ok: true, stock: { onHand: 13 } });
    expect(await stock.adjust("count-7", -2, "stock count")).toMatchObject({ ok: true, stock: { onHand: 11 } });
    expect(await stock.adjust("count-7", -2, "stock count")).toMatchObject({ ok: true, stock: { onHand: 11 } });

    const snap = await stock.snapshot();
    expect(snap.movements.map((m) => [m.kind, m.delta])).toEqual(
      expect.arrayContaining([
        ["opening", 5],
        ["sale", -2],
        ["restock", 10],
        ["adjustment", -2],
      ]),
    );
    expect(snap.movements).toHaveLength(4);
  });

  it("never lets stock fall below what is held", async () => {
    const stock = await sku(4);
    await stock.hold("h1", 3, TTL, "cart:a");
    expect(await stock.adjust("shrink", -2, "breakage")).toMatchObject({
      ok: false,
      reason: "below_held",
      stock: { onHand: 4, available: 1 },
    });
    expect(await stock.adjust("shrink-1", -1, "breakage")).toMatchObject({ ok: true, stock: { onHand: 3, available: 0 } });
    // Bad arguments are an answer naming the field (never a thrown error that a caller would turn into a 500).
    const field = (r: { ok: boolean } & Partial<{ problem: { errors?: { field: string }[] } }>) => r.problem?.errors?.map((e) => e.field);
    expect(field(await stock.hold("bad", 0, TTL, "x"))).toEqual(["quantity"]);
    expect(field(await stock.hold("bad", 1.5, TTL, "x"))).toEqual(["quantity"]);
    expect(field(await stock.hold("", 1, 1, "x"))).toEqual(["holdId", "ttlMs"]);
    expect(field(await stock.adjust("bad", 0, "x"))).toEqual(["delta"]);
    expect(field(await stock.restock("bad", -3, "x"))).toEqual(["quantity"]);
    expect(await stock.stock()).toMatchObject({ onHand: 3, held: 3 });
  });

  it("swaps a hold for a new one in one step, never past the first one's expiry", async () => {
    const stock = await sku(5);
    const first = await stock.hold("line:v1", 2, TTL, "cart:a");
    if (!first.ok) throw new Error("first hold refused");
    // 5 on hand, 2 held by this line: asking for 5 with the old hold swapped out fits exactly.
    const swapped = await stock.hold("line:v2", 5, TTL * 10, "cart:a", { replaces: "line:v1" });
    expect(swapped).toMatchObject({ ok: true, hold: { quantity: 5, expiresAt: first.hold.expiresAt }, stock: { held: 5, available: 0 } });
    expect((await stock.snapshot()).holds.map((h) => h.holdId)).toEqual(["line:v2"]);
    // Too much even with the swap: nothing changes, the old hold stays.
    expect(await stock.hold("line:v3", 6, TTL, "cart:a", { replaces: "line:v2" })).toMatchObject({ ok: false, reason: "insufficient" });
    expect(await stock.stock()).toMatchObject({ held: 5 });
  });

  it("caps what one shopper holds across carts, inside the call that takes the hold", async () => {
    const stock = await sku(100);
    const cap = { shopper: "ip4:203.0.113.9", maxPerShopper: 2 };
    expect(await stock.hold("cart-a:1", 2, TTL, "cart:a", cap)).toMatchObject({ ok: true });
    expect(await stock.hold("cart-b:1", 1, TTL, "cart:b", cap)).toMatchObject({ ok: false, reason: "limit", limit: 2, held: 2 });
    // Re-setting a line's quantity swaps its own hold out, so it is not counted twice.
    expect(await stock.hold("cart-a:2", 1, TTL, "cart:a", { ...cap, replaces: "cart-a:1" })).toMatchObject({ ok: true });
    expect(await stock.hold("cart-b:2", 1, TTL, "cart:b", cap)).toMatchObject({ ok: true });
    // Another shopper has a share of their own; 50 parallel one-unit grabs by one shopper win exactly 2.
    const other = { shopper: "user:usr_x", maxPerShopper: 2 };
    const grabs = await Promise.all(Array.from({ length: 50 }, (_, i) => stock.hold(`grab-${i}`, 1, TTL, `cart:${i}`, other)));
    expect(grabs.filter((g) => g.ok)).toHaveLength(2);
    expect(await stock.stock()).toMatchObject({ onHand: 100, held: 4 });
  });

  it("releases expired holds from its alarm, exactly once", async () => {
    const stock = await sku(5);
    await stock.hold("h1", 2, TTL, "cart:a");
    await stock.hold("h2", 1, TTL * 10, "cart:b");
    await runInDurableObject(stock, (_i, state) => {
      state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE hold_id = 'h1'", Date.now() - 1);
    });
    // Already not counted before the alarm runs…
    expect(await stock.stock()).toMatchObject({ held: 1, available: 4 });
    expect(await runDurableObjectAlarm(stock)).toBe(true);
    const after = await stock.snapshot();
    expect(after.holds.map((h) => h.holdId)).toEqual(["h2"]);
    // …the alarm re-armed for the next hold, and running it early expires nothing more.
    expect(await runDurableObjectAlarm(stock)).toBe(true);
    expect(await stock.stock()).toMatchObject({ held: 1, available: 4 });
    expect(await stock.commit("h1")).toMatchObject({ ok: false, reason: "not_active", hold: { status: "expired" } });
  });

  it("keeps its state across eviction", async () => {
    const stock = await sku(7);
    await stock.hold("h1", 2, TTL, "cart:a");
    await evictDurableObject(stock);
    expect(await stock.snapshot()).toMatchObject({ onHand: 7, held: 2, available: 5, holds: [{ holdId: "h1", status: "active" }] });
    expect(await stock.hold("h1", 2, TTL, "cart:a")).toMatchObject({ ok: true, stock: { available: 5 } });
  });

  it("retires once: refuses new holds and adjustments from then on, keeps its history, honours the holds it had", async () => {
    const stock = await sku(6);
    await stock.hold("sold", 1, TTL, "checkout:a");
    await stock.commit("sold");
    await stock.hold("in-flight", 2, TTL, "checkout:b");
    const retired = await stock.retire();
    expect(retired).toMatchObject({ stock: { onHand: 5, held: 2, available: 0 }, activeHolds: 1, movements: 2 });
    // Asking again changes nothing and answers the same moment.
    expect(await stock.retire()).toEqual(retired);

    expect(await stock.hold("late", 1, TTL, "cart:c")).toMatchObject({ ok: false, reason: "insufficient", stock: { available: 0 } });
    expect(await stock.adjust("found", 3, "found in the back")).toMatchObject({ ok: false, reason: "retired" });
    // A hold taken before still ends as its owner decides; a sale undone or returned still comes back on hand.
    expect(await stock.commit("in-flight")).toMatchObject({ ok: true, stock: { onHand: 3, held: 0, available: 0 } });
    expect(await stock.restock("ret_1:SKU", 1, "return ret_1", "return")).toMatchObject({ ok: true, stock: { onHand: 4, available: 0 } });
    const snap = await stock.snapshot();
    expect(snap).toMatchObject({ onHand: 4, retiredAt: retired.retiredAt });
    expect(snap.movements.map((m) => m.kind).sort()).toEqual(["opening", "return", "sale", "sale"]);
  });

  it("takes no hold after the retirement that races with them", async () => {
    const stock = await sku(100);
    const calls = Array.from({ length: 100 }, (_, i) => (i === 50 ? stock.retire() : stock.hold(`race-${i}`, 1, TTL, `cart:${i}`)));
    const answers = await Promise.all(calls);
    const retired = answers[50] as Awaited<ReturnType<typeof stock.retire>>;
    const won = answers.filter((a) => "ok" in a && a.ok).length;
    // Every hold that won was taken before the object retired: what it held then is all it will ever hold.
    expect(retired.stock.held).toBe(won);
    expect(await stock.stock()).toMatchObject({ held: won, available: 0 });
  });

  it("gives exactly 100 of 500 concurrent one-unit holds to 100 on hand, and gets them all back", async () => {
    const stock = await sku(100);
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => stock.hold(`race-${i}`, 1, TTL, `cart:${i}`)));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(100);
    expect(results.filter((r) => !r.ok && r.reason === "insufficient")).toHaveLength(400);
    expect(await stock.stock()).toMatchObject({ onHand: 100, held: 100, available: 0 });

    // Half released by their carts, half left to expire.
    const ids = winners.map((r) => (r.ok ? r.hold.holdId : ""));
    await Promise.all(ids.slice(0, 50).map((id) => stock.release(id)));
    expect((await stock.stock()).available).toBe(50);
    await expireHolds(stock);
    expect(await runDurableObjectAlarm(stock)).toBe(true);
    expect(await stock.stock()).toMatchObject({ onHand: 100, held: 0, available: 100 });
  });
});
