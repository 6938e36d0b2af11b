import { d1Probe, serviceProbe } from "../../../shared/src/health.ts";
import { healthRoutes as healthRoutesFor } from "../../../shared/src/health-route.ts";

export const healthRoutes = healthRoutesFor<AdminEnv>("admin", (env) => ({
  d1: d1Probe(env.DB),
  catalog: serviceProbe(env.CATALOG),
  identity: serviceProbe(env.IDENTITY),
  orders: serviceProbe(env.ORDERS),
  fulfillment: serviceProbe(env.FULFILLMENT),
  insights: serviceProbe(env.INSIGHTS),
}));
