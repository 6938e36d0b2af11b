import { serviceProbe } from "#shared/health.ts";
import { healthRoutes as healthRoutesFor } from "#shared/health-route.ts";

// The storefront keeps nothing of its own: its health is that of every service it composes.
export const healthRoutes = healthRoutesFor<StorefrontEnv>("storefront", (env) => ({
  catalog: serviceProbe(env.CATALOG),
  identity: serviceProbe(env.IDENTITY),
  orders: serviceProbe(env.ORDERS),
  payments: serviceProbe(env.PAYMENTS),
  fulfillment: serviceProbe(env.FULFILLMENT),
  notifications: serviceProbe(env.NOTIFICATIONS),
  insights: serviceProbe(env.INSIGHTS),
}));
