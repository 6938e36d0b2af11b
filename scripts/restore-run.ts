import { dirname, join } from "node:path";
import type { Miniflare, V4WorkerOptions } from "miniflare";
import { unstable_readConfig } from "wrangler";
import type { BucketCheck, BucketPlan, DatabaseCheck } from "#shared/backup/report.ts";
import { backupTargets, type Targets } from "./backup-targets.ts";
import { bundleWorker } from "./bundle.ts";
import { launch } from "./miniflare-launch.ts";

const RESTORER = "restore";

export type RestoreWorker = {
  targets: Targets;
  miniflare: Miniflare;
  call: <T>(path: string, body: unknown) => Promise<T>;
  dispose: () => Promise<void>;
};

/**
 * The local-only restore Worker (scripts/restore/worker.ts) on a platform's state folder, bound to the same D1
 * databases and R2 buckets as the platform's Workers (same ids, so the same local storage). Nothing else runs:
 * no queue consumer or cron writes while a restore does.
 */
export async function openRestoreWorker(root: string, stateDir: string): Promise<RestoreWorker> {
  const targets = backupTargets(root);
  const scriptPath = await bundleWorker(join(root, "scripts/restore/worker.ts"), join(root, ".wrangler/build", RESTORER), {});
  const worker: V4WorkerOptions = {
    name: RESTORER,
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    compatibilityDate: unstable_readConfig({ config: join(root, "workers/catalog/wrangler.toml") }).compatibility_date,
    d1Databases: Object.fromEntries(targets.databases.map((d) => [`D1_${d.name}`, { id: d.id }])),
    r2Buckets: {
      BACKUPS: { id: targets.backupsBucket },
      ...Object.fromEntries(targets.buckets.map((b) => [`R2_${b.name}`, { id: b.bucketName }])),
    },
    bindings: { TARGETS: { databases: targets.databases.map((d) => d.name), buckets: targets.buckets.map((b) => b.name) } },
  };
  const miniflare = launch({ port: 0, stateDir, workers: [worker] });
  await miniflare.ready;
  const proxy = await miniflare.getWorker(RESTORER);
  const call = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await proxy.fetch(`http://restore${path}`, { method: "POST", body: JSON.stringify(body) });
    const answer = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(answer.error ?? `${path}: ${response.status}`);
    return answer;
  };
  return { targets, miniflare, call, dispose: () => miniflare.dispose() };
}

export type Plan = {
  databases: { database: string; takenAt: string | null; empty: boolean }[];
  buckets: (BucketPlan | { bucket: string; takenAt: null })[];
};

export type RestoreOutcome = {
  /** 0: restored and verified; 1: a backup is missing or a check failed; 2: refused (data in the way, no --wipe). */
  code: 0 | 1 | 2;
  plan: Plan;
  databases: DatabaseCheck[];
  buckets: BucketCheck[];
};

const count = (n: number) => n.toLocaleString("en-US");

/**
 * Rebuilds a local platform's D1 databases (each shard one of them) and R2 buckets from the backups bucket in its
 * state folder: for each, the newest backup taken at or before `from`. Everything is checked before anything is written: a database that
 * holds anything, or an object that differs from the backup's, refuses the whole restore unless `wipe`.
 */
export async function restorePlatform(options: {
  root: string;
  stateDir: string;
  from: Date;
  wipe: boolean;
  say: (line: string) => void;
}): Promise<RestoreOutcome> {
  const { say } = options;
  const restorer = await openRestoreWorker(options.root, options.stateDir);
  try {
    const plan = await restorer.call<Plan>("/plan", { from: options.from.toISOString() });
    const outcome: RestoreOutcome = { code: 0, plan, databases: [], buckets: [] };
    const unbacked = [
      ...plan.databases.map((d) => ({ name: d.database, takenAt: d.takenAt })),
      ...plan.buckets.map((b) => ({ name: b.bucket, takenAt: b.takenAt })),
    ]
      .filter((p) => p.takenAt === null)
      .map((p) => p.name);
    if (unbacked.length > 0) {
      say(`no backup taken at or before ${options.from.toISOString()} of: ${unbacked.join(", ")}`);
      return { ...outcome, code: 1 };
    }
    const inTheWay = [
      ...plan.databases.filter((d) => !d.empty).map((d) => `D1 ${d.database} is not empty`),
      ...plan.buckets
        .filter((b): b is BucketPlan => "differing" in b && b.differing.length > 0)
        .map((b) => `R2 ${b.bucket}: ${b.differing.length} objects differ from the backup`),
    ];
    if (inTheWay.length > 0 && !options.wipe) {
      for (const why of inTheWay) say(`refused: ${why}`);
      say("nothing was changed; add --wipe to replace what is there with the backup");
      return { ...outcome, code: 2 };
    }
    const times = new Set(plan.databases.map((d) => d.takenAt));
    if (times.size > 1) say("note: the databases' newest backups are not all from the same run (listed below)");

    let failed = false;
    // A database is restored in one transaction, so one that fails is left as it was; the others go on.
    const attempt = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        failed = true;
        say(`${what.padEnd(17)} FAILED, nothing written: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    for (const d of plan.databases) {
      await attempt(`D1 ${d.database}`, async () => {
        const check = await restorer.call<DatabaseCheck>(`/d1/${d.database}`, { takenAt: d.takenAt, wipe: options.wipe });
        outcome.databases.push(check);
        const rows = check.tables.reduce((n, t) => n + t.rows, 0);
        const bad = check.tables.filter((t) => !t.ok).map((t) => `${t.name} (${t.rows} rows, backup ${t.expectedRows})`);
        const verdict = check.ok ? "verified" : `MISMATCH ${check.schemaOk ? "" : "schema "}${bad.join(", ")}`;
        say(
          `D1 ${d.database.padEnd(14)} ${check.takenAt}  ${String(check.tables.length).padStart(3)} tables ${count(rows).padStart(9)} rows  ${verdict}`,
        );
      });
    }
    for (const b of plan.buckets) {
      if (b.takenAt === null) continue;
      await attempt(`R2 ${b.bucket}`, async () => {
        const check = await restorer.call<BucketCheck>(`/r2/${b.bucket}`, { takenAt: b.takenAt, wipe: options.wipe });
        outcome.buckets.push(check);
        const moves = `${count(check.restored)} put back, ${count(check.kept)} already there, ${count(check.removed)} removed`;
        const verdict = check.ok ? "verified" : `NOT ALL BACK: ${check.missing.length} missing, ${check.changed.length} rewritten since`;
        say(`R2 ${b.bucket.padEnd(14)} ${check.takenAt}  ${count(check.objects).padStart(6)} objects (${moves})  ${verdict}`);
      });
    }
    const ok = !failed && outcome.databases.every((d) => d.ok) && outcome.buckets.every((b) => b.ok);
    return { ...outcome, code: ok ? 0 : 1 };
  } finally {
    await restorer.dispose();
  }
}
