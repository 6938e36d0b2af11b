import { z } from "zod";
import { backupKeys } from "#shared/backup/manifest.ts";
import { isEmpty, planBucket, restoreBucket, restoreDatabase, runAtOrBefore } from "#shared/backup/restore.ts";

// A local-only Worker (never deployed) that `npm run restore` binds to every D1 database of every Worker, each
// shard its own (`D1_<name>`: D1_orders, D1_orders-1…), the buckets they own (`R2_<name>`) and the backups bucket,
// so a restore runs inside workerd, each database in one batch. TARGETS names them (scripts/backup-targets.ts
// reads them from the configs).
type RestoreEnv = { BACKUPS: R2Bucket; TARGETS: { databases: string[]; buckets: string[] } } & Record<string, unknown>;

const PlanRequest = z.object({ from: z.iso.datetime() });
const RunRequest = z.object({ takenAt: z.iso.datetime(), wipe: z.boolean() });

const database = (env: RestoreEnv, name: string): D1Database => {
  if (!env.TARGETS.databases.includes(name)) throw new Error(`no database ${name}`);
  return env[`D1_${name}`] as D1Database;
};
const bucket = (env: RestoreEnv, name: string): R2Bucket => {
  if (!env.TARGETS.buckets.includes(name)) throw new Error(`no bucket ${name}`);
  return env[`R2_${name}`] as R2Bucket;
};

async function plan(env: RestoreEnv, from: Date) {
  const databases = await Promise.all(
    env.TARGETS.databases.map(async (name) => ({
      database: name,
      takenAt: await runAtOrBefore(env.BACKUPS, backupKeys.d1Prefix(name), from),
      empty: await isEmpty(database(env, name)),
    })),
  );
  const buckets = await Promise.all(
    env.TARGETS.buckets.map(async (name) => {
      const takenAt = await runAtOrBefore(env.BACKUPS, backupKeys.r2Prefix(name), from);
      return takenAt === null ? { bucket: name, takenAt } : planBucket(bucket(env, name), name, { backups: env.BACKUPS, takenAt });
    }),
  );
  return { databases, buckets };
}

export default {
  async fetch(request, env) {
    const [, kind, name] = new URL(request.url).pathname.split("/");
    try {
      const body: unknown = await request.json();
      if (kind === "plan") return Response.json(await plan(env, new Date(PlanRequest.parse(body).from)));
      const run = { backups: env.BACKUPS, ...RunRequest.parse(body) };
      if (kind === "d1" && name) return Response.json(await restoreDatabase(database(env, name), name, run));
      if (kind === "r2" && name) return Response.json(await restoreBucket(bucket(env, name), name, run));
      return Response.json({ error: "not found" }, { status: 404 });
    } catch (err) {
      return Response.json({ error: err instanceof Error ? err.message : String(err) }, { status: 500 });
    }
  },
} satisfies ExportedHandler<RestoreEnv>;
