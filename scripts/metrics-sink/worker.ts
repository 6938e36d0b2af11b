import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import { MetricsRows, MetricsWindow, percentile } from "#shared/metrics/read-model.ts";

// A local-only Worker (never deployed) standing in for Analytics Engine under `npm start` and the system tests:
// Miniflare's own dataset binding keeps nothing, and Analytics Engine's SQL API is only in Cloudflare's cloud.
// scripts/metrics-sink.ts binds every Worker's METRICS to this entrypoint instead, so the Workers write exactly
// what they write in production (`writeDataPoint`), kept here in D1 in the dataset's own columns; the admin
// Worker reads it back (METRICS_SOURCE=local) as the same rows the production SQL answers.
type SinkEnv = { DB: D1Database };

const DataPoint = z.object({
  indexes: z.tuple([z.string()]),
  blobs: z.tuple([z.string(), z.string(), z.string()]),
  doubles: z.tuple([z.number(), z.number()]),
});

const SCHEMA = `CREATE TABLE IF NOT EXISTS metric_points (
  timestamp INTEGER NOT NULL, index1 TEXT NOT NULL, blob1 TEXT NOT NULL, blob2 TEXT NOT NULL, blob3 TEXT NOT NULL,
  double1 REAL NOT NULL, double2 REAL NOT NULL)`;
const INDEX = "CREATE INDEX IF NOT EXISTS metric_points_kind_time ON metric_points (index1, timestamp)";

const KEEP_MS = 2 * 86_400_000;

let ready: Promise<unknown> | null = null;

export class MetricsSink extends WorkerEntrypoint<SinkEnv> {
  private schema(): Promise<unknown> {
    ready ??= this.env.DB.batch([this.env.DB.prepare(SCHEMA), this.env.DB.prepare(INDEX)]).catch((err: unknown) => {
      ready = null;
      throw err;
    });
    return ready;
  }

  async writeDataPoint(point: unknown): Promise<void> {
    const p = DataPoint.parse(point);
    await this.schema();
    await this.env.DB.prepare(
      "INSERT INTO metric_points (timestamp, index1, blob1, blob2, blob3, double1, double2) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(Date.now(), ...p.indexes, ...p.blobs, ...p.doubles)
      .run();
  }

  /** The rows production's SQL (workers/shared/src/metrics/ae-sql.ts) answers, computed here from every point. */
  async read(input: unknown): Promise<MetricsRows> {
    const w = MetricsWindow.parse(input);
    await this.schema();
    // The page looks back a day at most: older points go, so a long-lived local state folder does not grow forever.
    await this.env.DB.prepare("DELETE FROM metric_points WHERE timestamp < ?")
      .bind(Date.now() - KEEP_MS)
      .run();
    const bucket = `(timestamp / 1000 / ${w.bucketSeconds}) * ${w.bucketSeconds}`;
    const range = "timestamp >= ? AND timestamp < ?";
    const bounds = [w.from * 1000, w.to * 1000];
    const all = <T>(sql: string) =>
      this.env.DB.prepare(sql)
        .bind(...bounds)
        .all<T>()
        .then((r) => r.results);
    const [checkouts, requests, oversell, gauges] = await Promise.all([
      all(`SELECT ${bucket} AS t, blob2 AS outcome, COUNT(*) AS count FROM metric_points
           WHERE index1 = 'checkout' AND ${range} GROUP BY t, outcome ORDER BY t`),
      all<{ service: string; route: string; method: string; ms: number; status: number }>(
        `SELECT blob1 AS service, blob2 AS route, blob3 AS method, double1 AS ms, double2 AS status FROM metric_points
         WHERE index1 = 'request' AND ${range}`,
      ),
      all(`SELECT ${bucket} AS t, COUNT(*) AS count, SUM(double1) AS units FROM metric_points
           WHERE index1 = 'oversell' AND ${range} GROUP BY t ORDER BY t`),
      all(`SELECT ${bucket} AS t, index1 AS kind, blob2 AS source, MAX(double1) AS pending, MAX(double2) AS oldestSeconds
           FROM metric_points WHERE index1 IN ('backlog', 'dead_letters') AND ${range} GROUP BY t, kind, source ORDER BY t`),
    ]);
    // Percentiles in code: SQLite has no quantile function.
    const byRoute = new Map<string, { service: string; route: string; method: string; ms: number[]; errors: number }>();
    for (const r of requests) {
      const key = `${r.service} ${r.method} ${r.route}`;
      const entry = byRoute.get(key) ?? { service: r.service, route: r.route, method: r.method, ms: [], errors: 0 };
      entry.ms.push(r.ms);
      if (r.status >= 500) entry.errors++;
      byRoute.set(key, entry);
    }
    const routes = [...byRoute.values()]
      .map((e) => {
        const sorted = e.ms.sort((a, b) => a - b);
        return {
          service: e.service,
          route: e.route,
          method: e.method,
          count: sorted.length,
          errors: e.errors,
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
        };
      })
      .sort((a, b) => b.count - a.count)
      .slice(0, 50);
    return MetricsRows.parse({ checkouts, routes, oversell, gauges });
  }
}

export default {
  fetch: () => new Response("the local metrics sink answers RPC only", { status: 404 }),
} satisfies ExportedHandler<SinkEnv>;
