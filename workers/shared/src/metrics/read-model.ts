import { z } from "zod";
import { CHECKOUT_OUTCOMES } from "./points.ts";

// What the operations page reads, whichever store answered: Analytics Engine's SQL API in production
// (ae-sql.ts), the local sink under `npm start` (scripts/metrics-sink). Both answer these rows.

export const MetricsWindow = z.object({
  /** Unix seconds, inclusive. */
  from: z.number().int(),
  /** Unix seconds, exclusive. */
  to: z.number().int(),
  /** Width of a chart bucket, seconds. */
  bucketSeconds: z.number().int().positive(),
});
export type MetricsWindow = z.infer<typeof MetricsWindow>;

const count = z.coerce.number().nonnegative();
const bucket = z.coerce.number().int().describe("Bucket start, Unix seconds");

export const MetricsRows = z
  .object({
    checkouts: z.array(z.object({ t: bucket, outcome: z.enum(CHECKOUT_OUTCOMES), count })),
    routes: z.array(
      z.object({
        service: z.string(),
        route: z.string(),
        method: z.string(),
        count,
        errors: count.describe("Answers with a 5xx status"),
        p50: count.describe("Milliseconds"),
        p99: count.describe("Milliseconds"),
      }),
    ),
    oversell: z.array(z.object({ t: bucket, count, units: count })),
    gauges: z.array(
      z.object({
        t: bucket,
        kind: z.enum(["backlog", "dead_letters"]),
        source: z.string(),
        pending: count.describe("The highest sample in the bucket"),
        oldestSeconds: count.describe("The highest sample in the bucket"),
      }),
    ),
  })
  .meta({ id: "MetricsRows" });
export type MetricsRows = z.infer<typeof MetricsRows>;

/** Reads the rows for a window: the one thing a metrics store has to do for the page. */
export type MetricsReader = (window: MetricsWindow) => Promise<MetricsRows>;

/** The nearest-rank percentile of already sorted values (the local sink; Analytics Engine computes its own). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? 0;
}
