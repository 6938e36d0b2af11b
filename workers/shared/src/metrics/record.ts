import { type DataPoint, dataPointOf, type MetricPoint } from "./points.ts";

/** Where the Workers keep the platform's metrics: an Analytics Engine dataset (binding METRICS). */
export type MetricsDataset = { writeDataPoint(point?: DataPoint): void };
/** Keeps the invocation alive until a promise settles (ctx.waitUntil). */
export type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Writes one point; never throws (a metric is not worth a failed request). In production `writeDataPoint` is
 * synchronous; the local sink (scripts/metrics-sink) is an RPC that answers a promise, kept alive by `waitUntil`
 * so a point written at the end of a request is not dropped with it.
 */
export function recordMetric(dataset: MetricsDataset | undefined, point: MetricPoint, waitUntil?: WaitUntil): void {
  if (dataset === undefined) return;
  try {
    const written: unknown = dataset.writeDataPoint(dataPointOf(point));
    // An RPC's answer is a thenable function-like stub, not a Promise.
    if (written !== null && (typeof written === "object" || typeof written === "function") && "then" in written) {
      const settled = Promise.resolve(written as PromiseLike<unknown>).then(
        () => undefined,
        () => undefined,
      );
      waitUntil?.(settled);
    }
  } catch {
    // A full or unavailable dataset loses the point, not the request.
  }
}
