import { describe, expect, it } from "vitest";
import { TtlCache } from "#shared/ttl-cache.ts";

describe("TtlCache", () => {
  it("keeps an entry for its TTL only, and drops the least recently used beyond its size", async () => {
    let now = 1_000;
    const cache = new TtlCache<string>(5_000, 2, 0, () => now);
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

  it("serves the stale copy to concurrent requests while the first one refreshes, never beyond fresh + stale", async () => {
    let now = 0;
    const cache = new TtlCache<string>(3_000, 10, 3_000, () => now);
    cache.set("k", "v1");
    now = 4_000; // stale
    let release: (v: string) => void = () => {};
    const slow = new Promise<string>((r) => {
      release = r;
    });
    const refreshing = cache.getOrLoad("k", () => slow);
    let loads = 0;
    expect(await cache.getOrLoad("k", async () => `v${++loads}`)).toBe("v1"); // stale, no second load
    expect(loads).toBe(0);
    release("v2");
    expect(await refreshing).toBe("v2");
    expect(cache.get("k")).toBe("v2");
    now = 4_000 + 6_001; // past fresh + stale: loads again, whoever asks
    expect(await cache.getOrLoad("k", async () => "v3")).toBe("v3");
  });

  it("lets the next request refresh when a refresh fails", async () => {
    let now = 0;
    const cache = new TtlCache<string>(1_000, 10, 5_000, () => now);
    cache.set("k", "old");
    now = 2_000;
    await expect(cache.getOrLoad("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.getOrLoad("k", async () => "new")).toBe("new");
  });
});
