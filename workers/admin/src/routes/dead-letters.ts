import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, isNotNull, isNull } from "drizzle-orm";
import { createRouter } from "#shared/edge-app.ts";
import { ProblemError } from "#shared/problem.ts";
import { guarded, problemDoc } from "#shared/route-guard.ts";
import { deadLetters } from "../../db/tables.ts";
import { adminDb } from "../db.ts";
import { replay } from "../dead-letters/replay.ts";
import type { DeadLetterRow } from "../dead-letters/store.ts";
import { platformAdminOnly } from "../guards.ts";

const DeadLetterView = z
  .object({
    id: z.string(),
    queue: z.string().describe("The queue the event failed on; a replay sends it back there"),
    consumer: z.string().nullable(),
    eventId: z.string().nullable(),
    eventType: z.string().nullable(),
    error: z.string().describe("Why the consumer gave up (its last error)"),
    attempts: z.number().int().nullable(),
    body: z.unknown().describe("The message as it was delivered"),
    receivedAt: z.iso.datetime(),
    replayedAt: z.iso.datetime().nullable(),
    replays: z.number().int(),
  })
  .meta({ id: "DeadLetter" });

const view = (r: DeadLetterRow): z.infer<typeof DeadLetterView> => ({
  id: r.id,
  queue: r.queue,
  consumer: r.consumer,
  eventId: r.eventId,
  eventType: r.eventType,
  error: r.reason,
  attempts: r.attempts,
  body: JSON.parse(r.body) as unknown,
  receivedAt: new Date(r.receivedAt).toISOString(),
  replayedAt: r.replayedAt === null ? null : new Date(r.replayedAt).toISOString(),
  replays: r.replays,
});

const routes = {
  list: guarded(
    createRoute({
      method: "get",
      path: "/admin/v1/dead-letters",
      summary: "Event deliveries a consumer gave up on, newest first (platform admin)",
      request: {
        query: z.object({
          status: z.enum(["pending", "replayed"]).optional().describe("pending: never replayed; replayed: sent back at least once"),
          eventId: z.string().max(200).optional(),
        }),
      },
      responses: {
        200: { description: "Dead letters", content: { "application/json": { schema: z.object({ items: z.array(DeadLetterView) }) } } },
        400: problemDoc("Bad filter"),
      },
    }),
    platformAdminOnly,
  ),
  replay: guarded(
    createRoute({
      method: "post",
      path: "/admin/v1/dead-letters/{id}/replay",
      summary: "Send a dead letter back to its queue (after fixing what made it fail); its consumer dedupes, so nothing happens twice",
      request: { params: z.object({ id: z.string().max(120) }) },
      responses: {
        202: { description: "Sent back to its queue", content: { "application/json": { schema: DeadLetterView } } },
        404: problemDoc("No such dead letter"),
        409: problemDoc("Its queue is not one this platform can replay to"),
      },
    }),
    platformAdminOnly,
  ),
};

export const deadLetterRoutes = createRouter<AdminEnv>()
  .openapi(routes.list, async (c) => {
    const { status, eventId } = c.req.valid("query");
    const results = await adminDb(c.env.DB)
      .select()
      .from(deadLetters)
      .where(
        and(
          status === "pending" ? isNull(deadLetters.replayedAt) : status === "replayed" ? isNotNull(deadLetters.replayedAt) : undefined,
          eventId === undefined ? undefined : eq(deadLetters.eventId, eventId),
        ),
      )
      .orderBy(desc(deadLetters.receivedAt))
      .limit(200);
    c.header("Cache-Control", "no-store");
    return c.json({ items: results.map(view) }, 200);
  })
  .openapi(routes.replay, async (c) => {
    const id = c.req.valid("param").id;
    const [row] = await adminDb(c.env.DB).select().from(deadLetters).where(eq(deadLetters.id, id)).limit(1);
    if (row === undefined) throw new ProblemError(404, `no dead letter ${id}`);
    const replayed = await replay(c.env, row);
    if (replayed === null) throw new ProblemError(409, `dead letter ${id} came from ${row.queue}, which cannot be replayed to`);
    return c.json(view(replayed), 202);
  });
