import { describe, expect, it } from "vitest";
import { AE_SQL_ENDPOINT, analyticsEngineReader, metricsSql } from "#shared/metrics/ae-sql.ts";
import { dataPointOf, MetricPoint } from "#shared/metrics/points.ts";
import { percentile } from "#shared/metrics/read-model.ts";

const hour = { from: 1_780_000_000 - 3600, to: 1_780_000_000, bucketSeconds: 60 };

describe("the dataset's column layout", () => {
  it("puts every kind in index1 and its dimensions in the documented blobs and doubles", () => {
    expect(
      dataPointOf({ kind: "request", service: "storefront", route: "/v1/products/:slug", method: "GET", ms: 12, status: 200 }),
    ).toEqual({
      indexes: ["request"],
      blobs: ["storefront", "/v1/products/:slug", "GET"],
      doubles: [12, 200],
    });
    expect(dataPointOf({ kind: "checkout", service: "orders", outcome: "declined", currency: "EUR", total: 0 })).toEqual({
      indexes: ["checkout"],
      blobs: ["orders", "declined", "EUR"],
      doubles: [1, 0],
    });
    expect(dataPointOf({ kind: "backlog", service: "orders", source: "orders", pending: 3, oldestSeconds: 40 }).doubles).toEqual([3, 40]);
    expect(MetricPoint.safeParse({ kind: "checkout", service: "orders", outcome: "lost", currency: "EUR", total: 0 }).success).toBe(false);
  });
});

describe("Analytics Engine SQL", () => {
  const sql = metricsSql("edge_commerce_metrics_production", hour);

  it("scopes every query to its kind and window, and weights counts by the sample interval", () => {
    const window = `timestamp >= toDateTime(${hour.from}) AND timestamp < toDateTime(${hour.to})`;
    expect(sql.checkouts).toBe(
      "SELECT toUnixTimestamp(toStartOfInterval(timestamp, INTERVAL '60' SECOND)) AS t, blob2 AS outcome, SUM(_sample_interval) AS count " +
        `FROM edge_commerce_metrics_production WHERE index1 = 'checkout' AND ${window} GROUP BY t, outcome ORDER BY t`,
    );
    expect(sql.routes).toContain("quantileExactWeighted(0.5)(double1, _sample_interval) AS p50");
    expect(sql.routes).toContain("quantileExactWeighted(0.99)(double1, _sample_interval) AS p99");
    expect(sql.routes).toContain("SUM(IF(double2 >= 500, _sample_interval, 0)) AS errors");
    expect(sql.routes).toContain(`WHERE index1 = 'request' AND ${window}`);
    expect(sql.routes).toMatch(/GROUP BY service, route, method ORDER BY count DESC LIMIT 50$/);
    expect(sql.oversell).toContain(`WHERE index1 = 'oversell' AND ${window}`);
    expect(sql.gauges).toContain(`WHERE index1 IN ('backlog', 'dead_letters') AND ${window}`);
    expect(sql.gauges).toContain("MAX(double1) AS pending, MAX(double2) AS oldestSeconds");
  });

  it("refuses a dataset name or a window that would not be plain SQL", () => {
    expect(() => metricsSql("x; DROP TABLE y", hour)).toThrow(/not a dataset name/);
    expect(() => metricsSql("edge_commerce_metrics", { ...hour, from: 1.5 })).toThrow(/not a whole number/);
  });

  it("posts each query to the account's SQL endpoint with the token, and checks the rows", async () => {
    const sent: { url: string; body: string; auth: string | null }[] = [];
    const answers: Record<string, unknown[]> = {
      "'checkout'": [{ t: "1779996420", outcome: "placed", count: "2" }],
      "'request'": [{ service: "storefront", route: "/health", method: "GET", count: 5, errors: 0, p50: 3, p99: 9 }],
      "'oversell'": [],
      "'backlog'": [{ t: 1779996420, kind: "dead_letters", source: "all", pending: 1, oldestSeconds: 30 }],
    };
    const fetch = (async (url: string, init: RequestInit) => {
      const body = String(init.body);
      sent.push({ url, body, auth: new Headers(init.headers).get("Authorization") });
      const key = Object.keys(answers).find((k) => body.includes(k)) ?? "";
      return Response.json({ data: answers[key] ?? [] });
    }) as typeof globalThis.fetch;
    const read = analyticsEngineReader({
      accountId: "0123456789abcdef0123456789abcdef",
      apiToken: "tok",
      dataset: "edge_commerce_metrics",
      fetch,
    });
    const rows = await read(hour);
    expect(sent).toHaveLength(4);
    for (const s of sent) {
      expect(s.url).toBe(AE_SQL_ENDPOINT("0123456789abcdef0123456789abcdef"));
      expect(s.auth).toBe("Bearer tok");
      expect(s.body).toMatch(/ FORMAT JSON$/);
    }
    expect(rows.checkouts).toEqual([{ t: 1779996420, outcome: "placed", count: 2 }]);
    expect(rows.gauges[0]).toMatchObject({ kind: "dead_letters", pending: 1 });

    const failing = analyticsEngineReader({
      accountId: "0123456789abcdef0123456789abcdef",
      apiToken: "bad",
      dataset: "edge_commerce_metrics",
      fetch: (async () => new Response("Authentication error", { status: 401 })) as unknown as typeof globalThis.fetch,
    });
    await expect(failing(hour)).rejects.toThrow(/401 Authentication error/);
  });
});

describe("percentile (the local sink's)", () => {
  it("is the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBe(0);
  });
});
