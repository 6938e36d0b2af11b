// What the orchestrator asks a load process for, and what it gets back: one JSON line each way.
export type Request = { path: string; method?: "GET" | "POST" | "PATCH"; headers?: Record<string, string>; body?: string };
export type LoadSpec = {
  origin: string;
  connections: number;
  seconds: number;
  /** Requests made in turn, round-robin, so a scenario touches many products or carts rather than one. */
  requests: Request[];
  /** The status every response should have; anything else counts as an error. */
  expectStatus: number;
  /**
   * Send each request once, in order, then stop: for requests that must not repeat (a checkout spends its cart
   * and its Idempotency-Key). It stops sending when all are sent or after `seconds`, whichever comes first, and
   * then waits (at most DRAIN_SECONDS) for the answers to what it has in flight.
   */
  once?: boolean;
};

/** How long a `once` run waits, after its `seconds`, for the requests it still has in flight. */
export const DRAIN_SECONDS = 30;

export type LoadResult = {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Answers by status, to say what the errors were. */
  statuses: Record<string, number>;
};

export type MixSpec = {
  origin: string;
  shoppers: number;
  seconds: number;
  productPaths: string[];
  categoryPaths: string[];
  /** Searches with facet counts, as a search results page asks. */
  searchPaths: string[];
  /** SKUs a shopper may add to its cart and buy (stock to spare, not flash-sale). */
  skus: string[];
  /** Shopper `i` plays client address `clientAddress(firstClient + i)`. */
  firstClient: number;
};
export type MixResult = {
  sessions: number;
  sessionsPerSecond: number;
  requests: number;
  errors: number;
  steps: Record<string, { count: number; p50: number; p99: number; errors: number }>;
};

/** A flash sale: `buyers` shoppers rush `units` units of one flash-sale SKU, each from an address of its own. */
export type FlashSpec = {
  origin: string;
  sku: string;
  units: number;
  buyers: number;
  /** Buyers in flight at once. */
  concurrency: number;
  /** The sale is cut off this long after it opens (buyers not yet served count as errors). */
  seconds: number;
  /** Buyer `i` plays client address `clientAddress(firstClient + i)`. */
  firstClient: number;
};
export type FlashResult = {
  buyers: number;
  /** Buyers whose add (and checkout, if the add held a unit) was answered before the cut-off. */
  served: number;
  /** Status → count, for the adds and for the checkouts (0 is a request that got no answer). */
  adds: Record<string, number>;
  checkouts: Record<string, number>;
  /** Checkouts answered 201. */
  paid: number;
  /** From the sale's opening: the last unit held at add-to-cart, the `units`-th order paid (null if never), all served. */
  lastHoldMs: number | null;
  soldOutMs: number | null;
  durationMs: number;
  addP50: number;
  addP99: number;
  checkoutP50: number;
  checkoutP99: number;
  /** Adds answered other than 200/409, checkouts other than 201, no answer, or not served before the cut-off. */
  errors: number;
};

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * The address of benchmark client `i` (CF-Connecting-IP): the platform's limits count per client, and the
 * benchmark plays many shoppers, not one machine hammering. 10.0.0.0/8 holds 16 million of them.
 */
export const clientAddress = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
