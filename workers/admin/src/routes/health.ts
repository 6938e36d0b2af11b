import { d1Probe, serviceProbe, thresholdOf } from "#shared/health.ts";
import { healthRoutes as healthRoutesFor } from "#shared/health-route.ts";
import { deadLetterBacklog } from "../dead-letters/backlog.ts";

/** Dead letters never replayed: past ALERT_DEAD_LETTERS the check fails (the operations page shows it too). */
const deadLettersProbe = (env: AdminEnv) => async () => {
  const backlog = await deadLetterBacklog(env.DB);
  const max = thresholdOf(env.ALERT_DEAD_LETTERS);
  if (backlog.pending <= max) return backlog;
  return {
    ...backlog,
    ok: false,
    detail: `${backlog.pending} dead letter${backlog.pending === 1 ? "" : "s"} not replayed (alert above ${max})`,
  };
};

/** What the admin Worker's /health checks; the operations page's alerts are the checks that fail. */
export const adminProbes = (env: AdminEnv) => ({
  d1: d1Probe(env.DB),
  deadLetters: deadLettersProbe(env),
  catalog: serviceProbe(env.CATALOG),
  identity: serviceProbe(env.IDENTITY),
  orders: serviceProbe(env.ORDERS),
  fulfillment: serviceProbe(env.FULFILLMENT),
  insights: serviceProbe(env.INSIGHTS),
});

export const healthRoutes = healthRoutesFor<AdminEnv>("admin", adminProbes);
