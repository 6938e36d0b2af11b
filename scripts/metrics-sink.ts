import { join } from "node:path";
import type { V4WorkerOptions } from "miniflare";
import { bundleWorker } from "./bundle.ts";

// Locally, Analytics Engine is replaced by the local-only sink Worker (scripts/metrics-sink/worker.ts): every
// dataset binding a config declares becomes a service binding to its MetricsSink entrypoint, whose
// `writeDataPoint` keeps the point in D1. Production code is the same either way.

export const METRICS_SINK = "metrics-sink";

/** The sink Worker itself, with its own D1 database beside the platform's. */
export async function metricsSinkWorker(root: string): Promise<V4WorkerOptions> {
  const scriptPath = await bundleWorker(join(root, "scripts/metrics-sink/worker.ts"), join(root, ".wrangler/build", METRICS_SINK), {});
  return {
    name: METRICS_SINK,
    modules: true,
    scriptPath,
    modulesRoot: join(root, ".wrangler/build", METRICS_SINK),
    compatibilityDate: "2026-11-01",
    d1Databases: { DB: "metrics-local" },
  };
}

/** A Worker's options with each Analytics Engine dataset bound to the sink instead. */
export function withLocalMetrics(worker: V4WorkerOptions): V4WorkerOptions {
  const { analyticsEngineDatasets, ...rest } = worker as V4WorkerOptions & { analyticsEngineDatasets?: Record<string, unknown> };
  if (analyticsEngineDatasets === undefined) return worker;
  const sinks = Object.fromEntries(
    Object.keys(analyticsEngineDatasets).map((binding) => [binding, { name: METRICS_SINK, entrypoint: "MetricsSink" }]),
  );
  return { ...rest, serviceBindings: { ...(rest.serviceBindings ?? {}), ...sinks } } as V4WorkerOptions;
}
