import { WorkerEntrypoint } from "cloudflare:workers";
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
import { notificationsConfig } from "./config.ts";
import { notificationHandlers } from "./handle-event.ts";
import type { OutboxEmail } from "./outbox-email.ts";

const OutboxFilter = z.object({ orderId: z.string().max(64).optional(), to: z.string().max(254).optional() });
const Address = z.string().trim().toLowerCase().min(3).max(254);

type EmailRow = {
  id: string;
  to_address: string;
  subject: string;
  template: string;
  order_id: string;
  event_id: string;
  sent_at: number;
  request_id: string | null;
  text_body: string;
  html_body: string;
};

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
      const { results } = await this.env.DB.prepare(
        `SELECT * FROM emails WHERE status = 'sent' AND (?1 IS NULL OR order_id = ?1) AND (?2 IS NULL OR to_address = ?2)
         ORDER BY sent_at, id LIMIT 500`,
      )
        .bind(f.value.orderId ?? null, f.value.to ?? null)
        .all<EmailRow>();
      return ok({
        items: results.map((r) => ({
          id: r.id,
          to: r.to_address,
          subject: r.subject,
          template: r.template,
          orderId: r.order_id,
          eventId: r.event_id,
          sentAt: new Date(r.sent_at).toISOString(),
          requestId: r.request_id,
          text: r.text_body,
          html: r.html_body,
        })),
      });
    });
  }

  /** Makes the local mail sink refuse an address (`reason`), or accept it again (null). */
  setMailFault(address: unknown, reason: string | null, call: CallContext): Promise<Result<{ address: string }>> {
    return this.run("setMailFault", call, async () => {
      if (notificationsConfig(this.env).MAIL_TRANSPORT !== "dev-outbox") return fail(404, "the mail sink exists only locally");
      const to = parseInput(Address, address, "to");
      if (!to.ok) return to;
      if (reason === null) await this.env.DB.prepare("DELETE FROM dev_mail_faults WHERE address = ?").bind(to.value).run();
      else {
        await this.env.DB.prepare("INSERT OR REPLACE INTO dev_mail_faults (address, reason, created_at) VALUES (?, ?, ?)")
          .bind(to.value, String(reason).slice(0, 200), Date.now())
          .run();
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
