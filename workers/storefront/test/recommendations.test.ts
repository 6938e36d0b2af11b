import { describe, expect, it } from "vitest";
import type { ProductSummary } from "#schema/catalog/dto.ts";
import type { Fields, Logger } from "#shared/logger.ts";
import { fail, ok } from "#shared/result.ts";
import { RECOMMENDATIONS_BUDGET_MS, recommendationsFor } from "../src/recommendations.ts";

// Insights (its alsoBought as slow as a test says) and the catalog as in-memory stand-ins: what is under test is which cards the product page gets, in
// which order, and what it does when insights is slow or failing. Each test uses its own slugs (the module caches).
type World = { together: string[]; category: string[]; best: string[]; inStock: string[]; delayMs?: number; broken?: boolean };

const card = (slug: string) => ({ slug, title: slug }) as ProductSummary;
const call = { requestId: "req-1" };

function envOf(w: World) {
  const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), w.delayMs ?? 0));
  const env = {
    INSIGHTS: {
      alsoBought: () => later(w.broken ? fail(503, "insights is down") : ok(w.together)),
      bestSelling: async (slugs: string[]) => ok(w.best.filter((s) => slugs.includes(s))),
    },
    CATALOG: {
      productCards: async (slugs: string[]) => ok(Object.fromEntries(slugs.filter((s) => w.inStock.includes(s)).map((s) => [s, card(s)]))),
      listProducts: async () => ok({ items: w.category.map(card) }),
    },
  };
  return env as unknown as Parameters<typeof recommendationsFor>[0];
}

function recordingLog() {
  const warnings: { msg: string; fields?: Fields }[] = [];
  const log: Logger = {
    debug: () => {},
    info: () => {},
    warn: (msg, fields) => warnings.push({ msg, ...(fields ? { fields } : {}) }),
    error: () => {},
    enabled: () => true,
    with: () => log,
  };
  return { log, warnings };
}

/** This test's product slugs, by name. */
const slugsOf = <K extends string>(prefix: string, ...which: K[]) =>
  Object.fromEntries(which.map((w) => [w, `${prefix}-${w}`])) as Record<K, string>;
let run = 0;
const fresh = () => `t${++run}-${crypto.randomUUID().slice(0, 6)}`;

describe("recommendationsFor", () => {
  it("shows bought-together first, then fills up with the category's best-sellers, only products in stock", async () => {
    const t = fresh();
    const { self, a, soldOut, best, other } = slugsOf(t, "self", "a", "soldOut", "best", "other");
    const env = envOf({
      together: [self, a, soldOut, a],
      category: [self, other, a, best],
      best: [best],
      inStock: [self, a, best, other],
    });
    const { log, warnings } = recordingLog();
    const outcome = await recommendationsFor(env, call, log, self, `cat-${t}`);
    expect(outcome).toEqual({ items: [a, best, other].map(card), source: "insights" });
    expect(warnings).toEqual([]);
  });

  it("answers without recommendations when insights misses the budget, and has them for the next view", async () => {
    const t = fresh();
    const { self, a } = slugsOf(t, "self", "a");
    const env = envOf({
      together: [a],
      category: [],
      best: [],
      inStock: [a],
      delayMs: RECOMMENDATIONS_BUDGET_MS + 100,
    });
    const { log, warnings } = recordingLog();
    const started = Date.now();
    expect(await recommendationsFor(env, call, log, self, `cat-${t}`)).toEqual({ items: [], source: "none" });
    expect(Date.now() - started).toBeLessThan(RECOMMENDATIONS_BUDGET_MS + 90);
    expect(warnings[0]?.fields).toMatchObject({ slug: self, why: `no answer within ${RECOMMENDATIONS_BUDGET_MS} ms`, served: "none" });
    // The load kept running and filled the cache.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await recommendationsFor(env, call, log, self, `cat-${t}`)).toEqual({
      items: [card(a)],
      source: "insights",
    });
  });

  it("answers without recommendations when insights fails, and says why in the log", async () => {
    const t = fresh();
    const { self } = slugsOf(t, "self");
    const env = envOf({ together: [], category: [], best: [], inStock: [], broken: true });
    const { log, warnings } = recordingLog();
    expect(await recommendationsFor(env, call, log, self, `cat-${t}`)).toEqual({ items: [], source: "none" });
    expect(String(warnings[0]?.fields?.why)).toContain("insights is down");
  });
});
