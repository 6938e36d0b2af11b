import type { ProductSummary } from "#schema/catalog/dto.ts";
import type { Logger } from "#shared/logger.ts";
import type { CallContext } from "#shared/request-id.ts";
import { unwrap } from "#shared/result.ts";
import { TtlCache } from "#shared/ttl-cache.ts";

// Recommendations are a garnish: the product page waits for them at most this long, then answers without them
// (with the last good list this isolate saw for the product, if any) and says so in a log line.
export const RECOMMENDATIONS_BUDGET_MS = 250;
export const RECOMMENDATIONS_LIMIT = 8;

const fresh = new TtlCache<ProductSummary[]>(30_000, 2_000);
const lastGood = new TtlCache<ProductSummary[]>(10 * 60_000, 2_000);

type Env = Pick<StorefrontEnv, "CATALOG" | "INSIGHTS">;
type Outcome = { items: ProductSummary[]; source: "insights" | "cached" | "none" };

const deadline = (ms: number) => new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms));

/** Product cards for slugs, in their order: only active products with stock, never `except`. */
async function cards(env: Env, call: CallContext, slugs: string[], except: string, limit: number): Promise<ProductSummary[]> {
  const wanted = [...new Set(slugs)].filter((s) => s !== except).slice(0, limit * 3);
  if (wanted.length === 0) return [];
  const found = unwrap(await env.CATALOG.productCards(wanted, call));
  return wanted.flatMap((s) => found[s] ?? []).slice(0, limit);
}

// A category's best-sellers change slowly and are the same for every product in it: one answer per category a minute.
const categoryRanking = new TtlCache<string[]>(60_000, 500);

/**
 * The category's in-stock products, its best-sellers of the last 30 days first. The listing costs 8–17 ms at
 * 100,000 products even with nothing in stock (measured), once a minute per category.
 */
async function categoryBest(env: Env, call: CallContext, category: string): Promise<string[]> {
  const cached = categoryRanking.get(category);
  if (cached !== undefined) return cached;
  const sameCategory = unwrap(await env.CATALOG.listProducts({ category, inStock: true, limit: 50 }, call)).items.map((p) => p.slug);
  const best = unwrap(await env.INSIGHTS.bestSelling(sameCategory, call));
  const ranked = [...new Set([...best, ...sameCategory])];
  categoryRanking.set(category, ranked);
  return ranked;
}

/**
 * "Bought together" for the product, filled up with its category's best-sellers (and then its category's other
 * products) when it has little history; out-of-stock and archived products are left out by the catalog.
 */
async function load(env: Env, call: CallContext, slug: string, category: string, limit: number): Promise<ProductSummary[]> {
  const together = unwrap(await env.INSIGHTS.alsoBought(slug, Math.min(50, limit * 3), call));
  let items = await cards(env, call, together, slug, limit);
  if (items.length < limit) {
    const have = new Set([slug, ...items.map((i) => i.slug)]);
    const ranked = (await categoryBest(env, call, category)).filter((s) => !have.has(s));
    items = [...items, ...(await cards(env, call, ranked, slug, limit - items.length))];
  }
  return items;
}

// A load that misses the budget keeps running (what it finds fills the caches for the next view). Under load with
// cold caches those would pile up in front of the pages' own reads, so an isolate runs at most this many at once,
// one per product; past that a page starts none and answers with what it has.
const MAX_LOADS_IN_FLIGHT = 4;
const inFlight = new Set<string>();

/** Runs a load, counted in flight until it settles; what it finds is kept even if the page that asked has left. */
async function tracked(slug: string, loading: Promise<ProductSummary[]>): Promise<ProductSummary[]> {
  inFlight.add(slug);
  try {
    const items = await loading;
    fresh.set(slug, items);
    lastGood.set(slug, items);
    return items;
  } finally {
    inFlight.delete(slug);
  }
}

export async function recommendationsFor(env: Env, call: CallContext, log: Logger, slug: string, category: string): Promise<Outcome> {
  const cached = fresh.get(slug);
  if (cached !== undefined) return { items: cached, source: "insights" };
  const started = Date.now();
  const busy = inFlight.has(slug) || inFlight.size >= MAX_LOADS_IN_FLIGHT;
  const answer = busy
    ? ("busy" as const)
    : await Promise.race([
        tracked(slug, load(env, call, slug, category, RECOMMENDATIONS_LIMIT)).catch((err: unknown) => err as Error),
        deadline(RECOMMENDATIONS_BUDGET_MS),
      ]);
  if (Array.isArray(answer)) return { items: answer, source: "insights" };
  const fallback = lastGood.get(slug);
  const why =
    answer === "timeout"
      ? `no answer within ${RECOMMENDATIONS_BUDGET_MS} ms`
      : answer === "busy"
        ? `${inFlight.size} loads already running in this isolate`
        : String(answer);
  log.warn("recommendations skipped: the product page answers without fresh ones", {
    slug,
    why,
    ms: Date.now() - started,
    served: fallback === undefined ? "none" : "cached",
  });
  return fallback === undefined ? { items: [], source: "none" } : { items: fallback, source: "cached" };
}

/** Trending products as cards (GET /v1/recommendations?for=trending). */
export async function trendingCards(env: Env, call: CallContext, limit: number): Promise<ProductSummary[]> {
  return cards(env, call, unwrap(await env.INSIGHTS.trending(Math.min(50, limit * 2), call)), "", limit);
}

/** Recommendations for one product without the page's budget (GET /v1/recommendations?for=<slug>). */
export const recommendationsList = (env: Env, call: CallContext, slug: string, category: string, limit: number) =>
  load(env, call, slug, category, limit);
