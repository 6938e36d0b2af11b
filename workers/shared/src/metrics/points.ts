import { z } from "zod";

// The platform's metrics: one Analytics Engine dataset (binding METRICS), every kind of point in it, told apart
// by index1. The column layout is the contract between the Workers that write and the admin page that reads
// (docs/observe-metrics.md); a column's meaning never changes, a new dimension takes a new column.
//
//   index1   kind: request | checkout | oversell | backlog | dead_letters (also AE's sampling key)
//   blob1    service: the Worker that wrote it
//   blob2    request: the matched route pattern (never the raw path); checkout: the outcome; oversell: hold |
//            commit; backlog: the outbox's owner; dead_letters: "all"
//   blob3    request: the method; checkout: the currency; oversell: the SKU
//   double1  request: milliseconds; checkout: 1; oversell: units asked for; backlog / dead_letters: how many pending
//   double2  request: the status code; checkout: the order total (minor units, 0 if none); oversell: units
//            available; backlog / dead_letters: the oldest pending one's age in seconds

export const METRIC_KINDS = ["request", "checkout", "oversell", "backlog", "dead_letters"] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

export const CHECKOUT_OUTCOMES = ["placed", "declined", "out_of_stock", "failed"] as const;
export type CheckoutOutcome = (typeof CHECKOUT_OUTCOMES)[number];

const label = z.string().min(1).max(200);
const count = z.number().int().nonnegative();

export const MetricPoint = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("request"),
    service: label,
    route: label,
    method: label,
    ms: z.number().nonnegative(),
    status: z.number().int(),
  }),
  z.object({ kind: z.literal("checkout"), service: label, outcome: z.enum(CHECKOUT_OUTCOMES), currency: z.string().max(3), total: count }),
  z.object({
    kind: z.literal("oversell"),
    service: label,
    operation: z.enum(["hold", "commit"]),
    sku: label,
    requested: count,
    available: count,
  }),
  z.object({ kind: z.literal("backlog"), service: label, source: label, pending: count, oldestSeconds: count }),
  z.object({ kind: z.literal("dead_letters"), service: label, pending: count, oldestSeconds: count }),
]);
export type MetricPoint = z.infer<typeof MetricPoint>;

/** One Analytics Engine row, as `writeDataPoint` takes it (and as the local sink stores it). */
export type DataPoint = { indexes: [string]; blobs: [string, string, string]; doubles: [number, number] };

/** The point in the dataset's columns (the layout above). */
export function dataPointOf(point: MetricPoint): DataPoint {
  const row = (b2: string, b3: string, d1: number, d2: number): DataPoint => ({
    indexes: [point.kind],
    blobs: [point.service, b2, b3],
    doubles: [d1, d2],
  });
  switch (point.kind) {
    case "request":
      return row(point.route, point.method, point.ms, point.status);
    case "checkout":
      return row(point.outcome, point.currency, 1, point.total);
    case "oversell":
      return row(point.operation, point.sku, point.requested, point.available);
    case "backlog":
      return row(point.source, "", point.pending, point.oldestSeconds);
    case "dead_letters":
      return row("all", "", point.pending, point.oldestSeconds);
  }
}
