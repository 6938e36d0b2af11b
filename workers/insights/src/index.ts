import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import { EVENT_TYPES } from "#schema/events.ts";
import { type PlatformReport, ReportQuery, type SalesReport } from "#schema/insights/dto.ts";
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
import { cartCreatedChanges, orderPaidChanges } from "./aggregate.ts";
import { insightsDb } from "./db.ts";
import { alsoBought, bestSelling, platformReport, salesReport, trending } from "./queries.ts";

const Slug = z.string().min(1).max(160);
const Limit = z.number().int().min(1).max(50);
const SlugList = z.array(Slug).max(100);
const MerchantScope = z.string().min(1).max(64).nullable();

// Local fault injection (DEV_FAULTS=on only): every call waits this long first, so a test can see the product
// page answer without recommendations when insights is slow. One isolate serves the local platform.
let devDelayMs = 0;

/**
 * The insights Worker's RPC surface (bound as INSIGHTS by the storefront and admin): recommendations and
 * reports, answered from aggregates that the order events keep.
 */
export class InsightsService extends WorkerEntrypoint<InsightsEnv> {
  alsoBought(slug: unknown, limit: unknown, call: CallContext): Promise<Result<string[]>> {
    return this.run("alsoBought", call, async () => {
      const s = Slug.safeParse(slug);
      const n = Limit.safeParse(limit);
      return s.success && n.success
        ? ok(await alsoBought(insightsDb(this.env.DB), s.data, n.data))
        : fail(400, "a product slug and a limit of 1 to 50");
    });
  }

  trending(limit: unknown, call: CallContext): Promise<Result<string[]>> {
    return this.run("trending", call, async () => {
      const n = Limit.safeParse(limit);
      return n.success ? ok(await trending(insightsDb(this.env.DB), n.data)) : fail(400, "limit is 1 to 50");
    });
  }

  bestSelling(slugs: unknown, call: CallContext): Promise<Result<string[]>> {
    return this.run("bestSelling", call, async () => {
      const parsed = parseInput(SlugList, slugs, "slugs");
      return parsed.ok ? ok(await bestSelling(insightsDb(this.env.DB), parsed.value)) : parsed;
    });
  }

  salesReport(merchantId: unknown, query: unknown, call: CallContext): Promise<Result<SalesReport>> {
    return this.run("salesReport", call, async () => {
      const scope = MerchantScope.safeParse(merchantId);
      if (!scope.success) return fail(400, "merchantId is a merchant id or null");
      const q = parseInput(ReportQuery, query, "query");
      return q.ok ? ok(await salesReport(insightsDb(this.env.DB), scope.data, q.value, this.env.SHOP_CURRENCY)) : q;
    });
  }

  platformReport(query: unknown, call: CallContext): Promise<Result<PlatformReport>> {
    return this.run("platformReport", call, async () => {
      const q = parseInput(ReportQuery, query, "query");
      return q.ok ? ok(await platformReport(insightsDb(this.env.DB), q.value)) : q;
    });
  }

  /** Local only: make every call slow (milliseconds; 0 to stop), to see who copes. */
  setDevDelay(ms: unknown): Result<null> {
    // The generated type is the deployed literal ("off"); npm start turns it on.
    if (String(this.env.DEV_FAULTS) !== "on") return fail(404, "fault injection exists only locally");
    const parsed = z.number().int().min(0).max(60_000).safeParse(ms);
    if (!parsed.success) return fail(400, "a delay of 0 to 60000 ms");
    devDelayMs = parsed.data;
    return ok(null);
  }

  health(): Promise<HealthReport> {
    return report(this.env);
  }

  private run<T>(method: string, call: CallContext, body: () => Promise<Result<T>>): Promise<Result<T>> {
    return traceRpc("insights", this.env.LOG_LEVEL, call, method, async () => {
      if (devDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, devDelayMs));
      return body();
    });
  }
}

const report = (env: InsightsEnv): Promise<HealthReport> => healthReport("insights", { d1: d1Probe(env.DB) });

export default {
  fetch: healthOnlyFetch(report, () => problemResponse(problem(404, "insights are reached through the storefront and admin Workers"))),
  async queue(batch, env) {
    const log = createLogger("insights", parseLogLevel(env.LOG_LEVEL), { queue: batch.queue });
    const db = insightsDb(env.DB);
    await consumeEvents(batch, {
      consumer: "insights",
      queue: "INSIGHTS_EVENTS",
      dedupe: "processed-events",
      db: env.DB,
      deadLetters: env.DEAD_LETTERS,
      log,
      ...retryPolicy(env),
      handlers: {
        [EVENT_TYPES.orderPaid]: async (event) => orderPaidChanges(db, event),
        [EVENT_TYPES.cartCreated]: async (event) => cartCreatedChanges(db, event),
      },
    });
  },
  async scheduled(controller, env) {
    await runCron(controller, { [BACKUP_CRON]: () => scheduledBackup(controller, env, { service: "insights", database: "insights" }) });
  },
} satisfies ExportedHandler<InsightsEnv>;
