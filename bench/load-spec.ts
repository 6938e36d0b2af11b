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
};

export type LoadResult = {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
};

export type MixSpec = {
  origin: string;
  shoppers: number;
  seconds: number;
  productPaths: string[];
  categoryPaths: string[];
  /** SKUs a shopper may add to its cart (in stock, not flash-sale). */
  skus: string[];
};
export type MixResult = {
  sessions: number;
  sessionsPerSecond: number;
  requests: number;
  errors: number;
  steps: Record<string, { count: number; p50: number; p99: number; errors: number }>;
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
