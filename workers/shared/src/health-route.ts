import { createRoute } from "@hono/zod-openapi";
import { createRouter, type EdgeBindings } from "./edge-app.ts";
import { HealthReport, healthReport } from "./health.ts";

/** `GET /health` of an edge Worker, documented in its OpenAPI document: 200 when every dependency is fine, else 503. */
export function healthRoutes<B extends EdgeBindings>(service: string, probes: (env: B) => Parameters<typeof healthReport>[1]) {
  const route = createRoute({
    method: "get",
    path: "/health",
    summary: "Whether this Worker and what it depends on are working (databases, services, outbox backlog)",
    responses: {
      200: { description: "Everything answers", content: { "application/json": { schema: HealthReport } } },
      503: {
        description: "Something it depends on does not answer (see `checks`)",
        content: { "application/json": { schema: HealthReport } },
      },
    },
  });
  return createRouter<B>().openapi(route, async (c) => {
    const report = await healthReport(service, probes(c.env));
    c.header("Cache-Control", "no-store");
    return report.status === "ok" ? c.json(report, 200) : c.json(report, 503);
  });
}
