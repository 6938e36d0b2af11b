import type { Miniflare } from "miniflare";
import { BACKUP_CRON } from "#shared/cron.ts";
import { backupTargets } from "./backup-targets.ts";

export type PlatformBackup = { takenAt: string; databases: string[] };

/**
 * Fires the backup cron on every Worker that owns a D1 database, as Cloudflare does at BACKUP_CRON: each exports
 * its own databases (every shard) and buckets through its `scheduled` handler, all named by the same time. The
 * Workers' proxies are made here, before the returned function is called: the first call through Miniflare's Node
 * proxy must not happen while workerd is busy (see startCronTicker in platform.ts).
 */
export async function platformBackup(miniflare: Miniflare, root: string): Promise<(at?: Date) => Promise<PlatformBackup>> {
  const { databases } = backupTargets(root);
  // One cron per Worker, however many databases it has: its handler backs up all of them.
  const owners = await Promise.all(
    [...new Set(databases.map((d) => d.worker))].map(async (name) => ({ name, worker: await miniflare.getWorker(name) })),
  );
  return async (at = new Date()) => {
    const outcomes = await Promise.all(
      owners.map(async ({ name, worker }) => ({ name, result: await worker.scheduled({ cron: BACKUP_CRON, scheduledTime: at }) })),
    );
    const failed = outcomes.filter((o) => o.result.outcome !== "ok").map((o) => `${o.name} (${o.result.outcome})`);
    if (failed.length > 0) throw new Error(`backup failed in ${failed.join(", ")}: see their logs`);
    return { takenAt: at.toISOString(), databases: databases.map((d) => d.name) };
  };
}
