import { z } from "zod";
import { analyticsEngineReader } from "#shared/metrics/ae-sql.ts";
import { type MetricsReader, MetricsRows, type MetricsWindow } from "#shared/metrics/read-model.ts";

/** The local sink's RPC (scripts/metrics-sink/worker.ts), which `npm start` binds as METRICS. */
type LocalSink = { read(window: MetricsWindow): Promise<unknown> };

const Credentials = z.object({ METRICS_ACCOUNT_ID: z.string().regex(/^[0-9a-f]{32}$/), METRICS_API_TOKEN: z.string().min(1) });

/**
 * Where the operations page reads metrics, by METRICS_SOURCE: Analytics Engine's SQL API (production), or the local
 * sink bound in METRICS's place (`npm start`). Null with the reason when production's credentials are not set.
 */
export function metricsReader(env: AdminEnv): { ok: true; read: MetricsReader } | { ok: false; reason: string } {
  if (String(env.METRICS_SOURCE) === "local") {
    const sink = env.METRICS as unknown as LocalSink; // the local sink's entrypoint, not a dataset (see above)
    return { ok: true, read: async (window) => MetricsRows.parse(await sink.read(window)) };
  }
  const credentials = Credentials.safeParse(env);
  if (!credentials.success) {
    return {
      ok: false,
      reason: "Analytics Engine is not readable yet: set METRICS_ACCOUNT_ID and the secret METRICS_API_TOKEN (docs/observe-metrics.md)",
    };
  }
  return {
    ok: true,
    read: analyticsEngineReader({
      accountId: credentials.data.METRICS_ACCOUNT_ID,
      apiToken: credentials.data.METRICS_API_TOKEN,
      dataset: String(env.METRICS_DATASET),
    }),
  };
}
