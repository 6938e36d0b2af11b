import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "#shared/edge-app.ts";
import { healthReport } from "#shared/health.ts";
import { CHECKOUT_OUTCOMES } from "#shared/metrics/points.ts";
import { MetricsRows, type MetricsWindow } from "#shared/metrics/read-model.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { platformAdminOnly } from "../guards.ts";
import { metricsReader } from "../operations/metrics-source.ts";
import { adminProbes } from "./health.ts";

export const RANGES = { hour: { seconds: 3600, bucketSeconds: 60 }, day: { seconds: 86_400, bucketSeconds: 900 } } as const;
export type Range = keyof typeof RANGES;

export const OperationsReport = z
  .object({
    range: z.enum(["hour", "day"]),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    bucketSeconds: z.number().int().describe("Width of a chart bucket"),
    source: z.enum(["analytics-engine", "local"]).describe("Where the metrics were read"),
    unavailable: z.string().nullable().describe("Why no metrics could be read (the alerts still are)"),
    rows: MetricsRows,
    totals: z.object({
      checkouts: z.record(z.enum(CHECKOUT_OUTCOMES), z.number()),
      oversellRefusals: z.number(),
      requests: z.number(),
    }),
    alerts: z
      .array(z.object({ check: z.string(), detail: z.string() }))
      .describe("The admin /health checks that fail now: dead letters, an outbox's oldest event, a service down"),
  })
  .meta({ id: "OperationsReport" });
export type OperationsReport = z.infer<typeof OperationsReport>;

const route = guarded(
  createRoute({
    method: "get",
    path: "/admin/v1/operations/metrics",
    summary: "The platform's metrics over the last hour or day, and the alerts firing now (platform admin)",
    request: { query: z.object({ range: z.enum(["hour", "day"]).default("hour") }) },
    responses: {
      200: { description: "Metrics and alerts", content: { "application/json": { schema: OperationsReport } } },
      400: problemDoc("Unknown range"),
    },
  }),
  platformAdminOnly,
);

const empty: MetricsRows = { checkouts: [], routes: [], oversell: [], gauges: [] };

export const operationsRoutes = createRouter<AdminEnv>().openapi(route, async (c) => {
  const range = c.req.valid("query").range;
  const { seconds, bucketSeconds } = RANGES[range];
  // Whole buckets, the last one the current (partial) one.
  const to = (Math.floor(Date.now() / 1000 / bucketSeconds) + 1) * bucketSeconds;
  const window: MetricsWindow = { from: to - seconds, to, bucketSeconds };
  const reader = metricsReader(c.env);
  const [read, health] = await Promise.all([
    reader.ok
      ? reader.read(window).then(
          (rows) => ({ rows, unavailable: null }),
          (err: unknown) => {
            c.get("log").warn("metrics not readable", { error: String(err) });
            return { rows: empty, unavailable: `metrics could not be read: ${err instanceof Error ? err.message : String(err)}` };
          },
        )
      : Promise.resolve({ rows: empty, unavailable: reader.reason }),
    healthReport("admin", adminProbes(c.env)),
  ]);
  const checkouts = Object.fromEntries(CHECKOUT_OUTCOMES.map((o) => [o, 0])) as Record<(typeof CHECKOUT_OUTCOMES)[number], number>;
  for (const r of read.rows.checkouts) checkouts[r.outcome] += r.count;
  const report: OperationsReport = {
    range,
    from: new Date(window.from * 1000).toISOString(),
    to: new Date(window.to * 1000).toISOString(),
    bucketSeconds,
    source: String(c.env.METRICS_SOURCE) === "local" ? "local" : "analytics-engine",
    unavailable: read.unavailable,
    rows: read.rows,
    totals: {
      checkouts,
      oversellRefusals: read.rows.oversell.reduce((n, r) => n + r.count, 0),
      requests: read.rows.routes.reduce((n, r) => n + r.count, 0),
    },
    alerts: Object.entries(health.checks)
      .filter(([, check]) => !check.ok)
      .map(([check, { detail }]) => ({ check, detail: detail ?? "failing" })),
  };
  c.header("Cache-Control", "no-store");
  return c.json(report, 200);
});
