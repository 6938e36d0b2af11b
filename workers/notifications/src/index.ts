import { WorkerEntrypoint } from "cloudflare:workers";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { scheduledBackup } from "#shared/backup/run.ts";
import { BACKUP_CRON, runCron } from "#shared/cron.ts";
import { consumeEvents, retryPolicy } from "#shared/event-consumer.ts";
import { d1Probe, type HealthReport, healthOnlyFetch, healthReport } from "#shared/health.ts";
import { createLogger, parseLogLevel } from "#shared/logger.ts";
import { parseInput } from "#shared/parse.ts";
import { problem, problemResponse } from "#shared/problem.ts";
import type { CallContext } from "#shared/request-id.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { traceRpc } from "#shared/rpc.ts";
import { devMailFaults, emails } from "../db/tables.ts";
import { notificationsConfig } from "./config.ts";
import { type EmailRow, notificationsDb } from "./db.ts";
import { notificationHandlers } from "./handle-event.ts";
import type { OutboxEmail } from "./outbox-email.ts";

const OutboxFilter = z.object({ orderId: z.string().max(64).optional(), to: z.string().max(254).optional() });
const Address = z.string().trim().toLowerCase().min(3).max(254);

/** A sent email as the local outbox lists it. */
const outboxEmail = (r: EmailRow): OutboxEmail => ({
  id: r.id,
  to: r.toAddress,
  subject: r.subject,
  template: r.template,
  orderId: r.orderId,
  eventId: r.eventId,
  // A sent email has its time.
  sentAt: new Date(r.sentAt ?? 0).toISOString(),
  requestId: r.requestId,
  text: r.textBody,
  html: r.htmlBody,
});

/**
 * The notifications Worker's RPC surface: development only (the local outbox and mail sink). In production it
 * answers 404: mail has left, and is not for anyone to read back.
 */
export class NotificationsService extends WorkerEntrypoint<NotificationsEnv> {
  devOutbox(filter: unknown, call: CallContext): Promise<Result<{ items: OutboxEmail[] }>> {
    return this.run("devOutbox", call, async () => {
      if (notificationsConfig(this.env).MAIL_TRANSPORT !== "dev-outbox") return fail(404, "the outbox exists only locally");
      const f = parseInput(OutboxFilter, filter ?? {}, "query");
      if (!f.ok) return f;
      const { orderId, to } = f.value;
      const rows = await notificationsDb(this.env.DB)
        .select()
        .from(emails)
        .where(
          and(
            eq(emails.status, "sent"),
            orderId === undefined ? undefined : eq(emails.orderId, orderId),
            to === undefined ? undefined : eq(emails.toAddress, to),
          ),
        )
        .orderBy(asc(emails.sentAt), asc(emails.id))
        .limit(500);
      return ok({ items: rows.map(outboxEmail) });
    });
  }

  /** Makes the local mail sink refuse an address (`reason`), or accept it again (null). */
  setMailFault(address: unknown, reason: string | null, call: CallContext): Promise<Result<{ address: string }>> {
    return this.run("setMailFault", call, async () => {
      if (notificationsConfig(this.env).MAIL_TRANSPORT !== "dev-outbox") return fail(404, "the mail sink exists only locally");
      const to = parseInput(Address, address, "to");
      if (!to.ok) return to;
      const db = notificationsDb(this.env.DB);
      if (reason === null) await db.delete(devMailFaults).where(eq(devMailFaults.address, to.value));
      else {
        const fault = { reason: String(reason).slice(0, 200), createdAt: Date.now() };
        await db
          .insert(devMailFaults)
          .values({ address: to.value, ...fault })
          .onConflictDoUpdate({ target: devMailFaults.address, set: fault });
      }
      return ok({ address: to.value });
    });
  }

  health(): Promise<HealthReport> {
    return report(this.env);
  }

  private run<T>(method: string, call: CallContext, body: () => Promise<Result<T>>): Promise<Result<T>> {
    return traceRpc("notifications", this.env.LOG_LEVEL, call, method, body);
  }
}

const report = (env: NotificationsEnv): Promise<HealthReport> =>
  healthReport("notifications", {
    d1: d1Probe(env.DB),
    config: async () => {
      notificationsConfig(env);
      return undefined;
    },
  });

export default {
  fetch: healthOnlyFetch(report, () => problemResponse(problem(404, "notifications are reached through events"))),
  async queue(batch, env) {
    const log = createLogger("notifications", parseLogLevel(env.LOG_LEVEL), { queue: batch.queue });
    await consumeEvents(batch, {
      consumer: "notifications",
      queue: "NOTIFICATION_EVENTS",
      dedupe: "processed-events",
      db: env.DB,
      handlers: notificationHandlers(env, notificationsConfig(env)),
      deadLetters: env.DEAD_LETTERS,
      log,
      ...retryPolicy(env),
    });
  },
  async scheduled(controller, env) {
    await runCron(controller, {
      [BACKUP_CRON]: () => scheduledBackup(controller, env, { service: "notifications", database: "notifications" }),
    });
  },
} satisfies ExportedHandler<NotificationsEnv>;
