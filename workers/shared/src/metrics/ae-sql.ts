import { z } from "zod";
import { type MetricsReader, MetricsRows, type MetricsWindow } from "./read-model.ts";

// Production's reader: Analytics Engine's SQL API over HTTPS (it is not a binding). Every count is weighted by
// `_sample_interval`, as AE samples rows under load. Untested against a live account (docs/observe-metrics.md):
// the SQL below is checked by unit tests, the answer's shape by zod.

export const AE_SQL_ENDPOINT = (accountId: string) =>
  `https://api.cloudflare.com/client/v4/accounts/${encodeURIComponent(accountId)}/analytics_engine/sql`;

// A dataset name goes into SQL as an identifier: only what Analytics Engine allows in one.
const DATASET = /^[A-Za-z_][A-Za-z0-9_]*$/;

function scope(dataset: string, kind: string, w: MetricsWindow): { from: string; where: string } {
  if (!DATASET.test(dataset)) throw new Error(`not a dataset name: ${dataset}`);
  for (const n of [w.from, w.to, w.bucketSeconds]) if (!Number.isSafeInteger(n)) throw new Error(`not a whole number: ${n}`);
  return {
    from: dataset,
    where: `index1 = '${kind}' AND timestamp >= toDateTime(${w.from}) AND timestamp < toDateTime(${w.to})`,
  };
}
const bucketOf = (w: MetricsWindow) => `toUnixTimestamp(toStartOfInterval(timestamp, INTERVAL '${w.bucketSeconds}' SECOND))`;

/** The four queries the page needs, in Analytics Engine's SQL (one statement each: the API takes one). */
export function metricsSql(dataset: string, w: MetricsWindow): Record<keyof MetricsRows, string> {
  const q = (kind: string) => scope(dataset, kind, w);
  return {
    checkouts: [
      `SELECT ${bucketOf(w)} AS t, blob2 AS outcome, SUM(_sample_interval) AS count`,
      `FROM ${q("checkout").from} WHERE ${q("checkout").where}`,
      "GROUP BY t, outcome ORDER BY t",
    ].join(" "),
    routes: [
      "SELECT blob1 AS service, blob2 AS route, blob3 AS method, SUM(_sample_interval) AS count,",
      "SUM(IF(double2 >= 500, _sample_interval, 0)) AS errors,",
      "quantileExactWeighted(0.5)(double1, _sample_interval) AS p50, quantileExactWeighted(0.99)(double1, _sample_interval) AS p99",
      `FROM ${q("request").from} WHERE ${q("request").where}`,
      "GROUP BY service, route, method ORDER BY count DESC LIMIT 50",
    ].join(" "),
    oversell: [
      `SELECT ${bucketOf(w)} AS t, SUM(_sample_interval) AS count, SUM(_sample_interval * double1) AS units`,
      `FROM ${q("oversell").from} WHERE ${q("oversell").where}`,
      "GROUP BY t ORDER BY t",
    ].join(" "),
    // Gauges are sampled by crons (not events): the highest sample per bucket, unweighted.
    gauges: [
      `SELECT ${bucketOf(w)} AS t, index1 AS kind, blob2 AS source, MAX(double1) AS pending, MAX(double2) AS oldestSeconds`,
      `FROM ${dataset} WHERE index1 IN ('backlog', 'dead_letters') AND timestamp >= toDateTime(${w.from}) AND timestamp < toDateTime(${w.to})`,
      "GROUP BY t, kind, source ORDER BY t",
    ].join(" "),
  };
}

const SqlAnswer = z.object({ data: z.array(z.record(z.string(), z.unknown())) });

export type AeSqlConfig = { accountId: string; apiToken: string; dataset: string; fetch?: typeof fetch };

/** Reads the rows from Analytics Engine: four queries at once, each answer checked. */
export function analyticsEngineReader(config: AeSqlConfig): MetricsReader {
  const send = config.fetch ?? fetch;
  const run = async (sql: string): Promise<unknown[]> => {
    const response = await send(AE_SQL_ENDPOINT(config.accountId), {
      method: "POST",
      headers: { Authorization: `Bearer ${config.apiToken}` },
      body: `${sql} FORMAT JSON`,
    });
    if (!response.ok) throw new Error(`Analytics Engine SQL API: ${response.status} ${(await response.text()).slice(0, 200)}`);
    return SqlAnswer.parse(await response.json()).data;
  };
  return async (window) => {
    const sql = metricsSql(config.dataset, window);
    const [checkouts, routes, oversell, gauges] = await Promise.all([
      run(sql.checkouts),
      run(sql.routes),
      run(sql.oversell),
      run(sql.gauges),
    ]);
    return MetricsRows.parse({ checkouts, routes, oversell, gauges });
  };
}
