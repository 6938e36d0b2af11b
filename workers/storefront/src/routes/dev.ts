import { Hono } from "hono";
import { z } from "zod";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { parseInput } from "#shared/parse.ts";
import { ProblemError } from "#shared/problem.ts";
import { unwrap } from "#shared/result.ts";

// Development only (`npm start` sets DEV_ROUTES=on; a deployment leaves it off and these answer 404): the
// notifications outbox, where emails land instead of being sent, and the local mail sink's faults, which make
// delivery to an address fail until cleared (to see retries and dead letters work). Not in the OpenAPI document:
// they are not part of the deployed API.

const FaultBody = z.object({
  to: z.string({ error: "to is required" }).min(3, "to is an email address").max(254),
  reason: z.string().max(200).optional(),
});

export const devRoutes = new Hono<EdgeEnv<StorefrontEnv>>()
  .use("/dev/*", async (c, next) => {
    // The generated type is the deployed literal ("off"); .dev.vars turns it on locally.
    if (String(c.env.DEV_ROUTES) !== "on") throw new ProblemError(404, "not found");
    c.header("Cache-Control", "no-store");
    await next();
  })
  .get("/dev/outbox", async (c) => {
    const filter = { orderId: c.req.query("orderId"), to: c.req.query("to") };
    return c.json(unwrap(await c.env.NOTIFICATIONS.devOutbox(filter, { requestId: c.get("requestId") })));
  })
  .put("/dev/mail-faults", async (c) => {
    const body = unwrap(parseInput(FaultBody, await c.req.json().catch(() => null)));
    const reason = body.reason ?? "mailbox unavailable (injected)";
    unwrap(await c.env.NOTIFICATIONS.setMailFault(body.to, reason, { requestId: c.get("requestId") }));
    return c.json({ to: body.to, reason });
  })
  // Make insights slow (ms; 0 to stop): the product page must still answer within its budget.
  .put("/dev/insights-delay", async (c) => {
    const body = unwrap(parseInput(z.object({ ms: z.number().int().min(0).max(60_000) }), await c.req.json().catch(() => null)));
    unwrap(await c.env.INSIGHTS.setDevDelay(body.ms));
    return c.body(null, 204);
  })
  .delete("/dev/mail-faults", async (c) => {
    const body = unwrap(parseInput(FaultBody, await c.req.json().catch(() => null)));
    unwrap(await c.env.NOTIFICATIONS.setMailFault(body.to, null, { requestId: c.get("requestId") }));
    return c.body(null, 204);
  });
