import { type Databases, outboxBacklog } from "../health.ts";
import { type MetricsDataset, recordMetric, type WaitUntil } from "./record.ts";

/** The outbox's backlog as a metric point: sampled by the Worker's every-minute cron, after its resend. */
export async function sampleOutbox(
  db: Databases,
  dataset: MetricsDataset | undefined,
  service: string,
  waitUntil?: WaitUntil,
): Promise<void> {
  const { pending, oldestPendingSeconds } = await outboxBacklog(db);
  recordMetric(dataset, { kind: "backlog", service, source: service, pending, oldestSeconds: oldestPendingSeconds }, waitUntil);
}
