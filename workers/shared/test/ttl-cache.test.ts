import { describe, expect, it } from "vitest";
import { TtlCache } from "../src/ttl-cache.ts";

describe("TtlCache", () => {
  it("keeps an entry for its TTL only, and drops the least recently used beyond its size", async () => {
    let now = 1_000;
    const cache = new TtlCache<string>(5_000, 2, () => now);
    cache.set("a", "A");
    cache.set("b", "B");
    expect(cache.get("a")).toBe("A"); // a is now the most recently used
    cache.set("c", "C");
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe("A");
    now += 5_000;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it("loads on a miss, keeps only what `keep` accepts, and serves hits without loading", async () => {
    const cache = new TtlCache<{ ok: boolean }>(5_000, 10);
    let loads = 0;
    const load = (ok: boolean) => async () => {
      loads++;
      return { ok };
    };
    expect(await cache.getOrLoad("bad", load(false), (v) => v.ok)).toEqual({ ok: false });
    expect(await cache.getOrLoad("bad", load(false), (v) => v.ok)).toEqual({ ok: false });
    expect(loads).toBe(2);
    await cache.getOrLoad("good", load(true), (v) => v.ok);
    await cache.getOrLoad("good", load(true), (v) => v.ok);
    expect(loads).toBe(3);
  });
});
