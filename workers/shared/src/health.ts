import { count, min, sql } from "drizzle-orm";
import { z } from "zod";
import { d1Db } from "./d1.ts";
import { outboxTable } from "./event-tables.ts";

// `GET /health` on every Worker: the Worker answers, and says how each thing it depends on is doing.

export const HealthCheck = z
  .object({
    ok: z.boolean(),
    latencyMs: z.number().int(),
    detail: z.string().optional(),
    // What a check measured besides ok, e.g. an outbox's pending events (the backlog this side can see).
    pending: z.number().int().optional(),
    oldestPendingSeconds: z.number().int().optional(),
  })
  .meta({ id: "HealthCheck" });
export type HealthCheck = z.infer<typeof HealthCheck>;

export const HealthReport = z
  .object({
    service: z.string(),
    status: z.enum(["ok", "degraded"]),
    checks: z.record(z.string(), HealthCheck),
  })
  .meta({ id: "HealthReport" });
export type HealthReport = z.infer<typeof HealthReport>;

/** A check: what it measured, and `ok: false` with a `detail` when a measure is past its threshold (else it holds). */
type Probe = () => Promise<(Omit<HealthCheck, "ok" | "latencyMs"> & { ok?: boolean }) | undefined>;

const TIMEOUT_MS = 2000;

/** Runs every probe at once, each bounded by a timeout; a probe that throws or hangs makes the report degraded. */
export async function healthReport(service: string, probes: Record<string, Probe>): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<[string, HealthCheck]> => {
      const started = Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
        });
        const { ok = true, ...extra } = (await Promise.race([probe(), timeout])) ?? {};
        return [name, { ok, latencyMs: Date.now() - started, ...extra }];
      } catch (err) {
        return [name, { ok: false, latencyMs: Date.now() - started, detail: err instanceof Error ? err.message : String(err) }];
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    }),
  );
  const checks = Object.fromEntries(entries);
  return { service, status: entries.every(([, c]) => c.ok) ? "ok" : "degraded", checks };
}

/** One database, or the shards of one (which count as one: all of them must hold). */
export type Databases = D1Database | readonly D1Database[];
const each = (dbs: Databases): readonly D1Database[] => (Array.isArray(dbs) ? dbs : [dbs as D1Database]);

/** The database (every shard of it) answers a query. */
export const d1Probe =
  (dbs: Databases): Probe =>
  async () => {
    await Promise.all(each(dbs).map((d1) => d1Db(d1).run(sql`SELECT 1`)));
    return undefined;
  };

const outbox = outboxTable();

/**
 * Events written but not yet sent: the queue backlog as its producer sees it (the runtime does not expose a
 * queue's own backlog to Workers). An old pending event means sends are failing; the cron retries them.
 */
export async function outboxBacklog(dbs: Databases): Promise<Backlog> {
  const rows = await Promise.all(
    each(dbs).map(async (d1) => {
      const [row] = await d1Db(d1)
        .select({ pending: count(), oldest: min(outbox.createdAt) })
        .from(outbox);
      return row;
    }),
  );
  // Shards add up: every pending event, the oldest of them all.
  const olds = rows.flatMap((r) => (r?.oldest == null ? [] : [r.oldest]));
  return backlogOf({ pending: rows.reduce((n, r) => n + (r?.pending ?? 0), 0), oldest: olds.length === 0 ? null : Math.min(...olds) });
}

export type Backlog = { pending: number; oldestPendingSeconds: number };

/** A backlog from `pending` (a count) and `oldest` (the oldest item's time, ms; null when there is none). */
export function backlogOf(row: { pending: number; oldest: number | null } | undefined): Backlog {
  const pending = row?.pending ?? 0;
  const oldestPendingSeconds = row?.oldest == null ? 0 : Math.max(0, Math.round((Date.now() - row.oldest) / 1000));
  return { pending, oldestPendingSeconds };
}

/** The outbox's backlog; past `maxAgeSeconds` (the Worker's ALERT_OUTBOX_AGE_SECONDS) the check fails, named. */
export const outboxProbe =
  (db: Databases, maxAgeSeconds = Number.POSITIVE_INFINITY): Probe =>
  async () => {
    const backlog = await outboxBacklog(db);
    if (backlog.oldestPendingSeconds <= maxAgeSeconds) return backlog;
    return {
      ...backlog,
      ok: false,
      detail: `the oldest unsent event is ${backlog.oldestPendingSeconds} s old (alert above ${maxAgeSeconds} s)`,
    };
  };

/** A threshold var ("300"): a number, or no threshold at all when it is empty or not one. */
export const thresholdOf = (value: string | undefined): number => {
  const n = Number(value);
  return value === undefined || value.trim() === "" || !Number.isFinite(n) ? Number.POSITIVE_INFINITY : n;
};

/** A service behind a binding, asked for its own report: healthy only if all of its checks are. */
export const serviceProbe =
  (service: { health(): Promise<HealthReport> }): Probe =>
  async () => {
    const report = await service.health();
    if (report.status !== "ok") {
      const failing = Object.entries(report.checks)
        .filter(([, c]) => !c.ok)
        .map(([name, c]) => `${name}: ${c.detail ?? "failing"}`);
      throw new Error(failing.join("; ") || "degraded");
    }
    return undefined;
  };

/** The JSON answer: 200 when every check holds, 503 otherwise (so a load balancer can act on the status alone). */
export const healthResponse = (report: HealthReport): Response =>
  Response.json(report, { status: report.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });

/** A Worker whose only HTTP surface is `/health` (the others are reached by RPC): that, or a 404 problem. */
export function healthOnlyFetch<E>(report: (env: E) => Promise<HealthReport>, notFound: () => Response) {
  return async (request: Request, env: E): Promise<Response> =>
    new URL(request.url).pathname === "/health" ? healthResponse(await report(env)) : notFound();
}
