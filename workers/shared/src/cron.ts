// A Worker with several cron triggers gets one `scheduled` event per trigger; `controller.cron` says which.

/** The outboxes' backstop: whatever a failed send left behind goes out within a minute. */
export const EVERY_MINUTE = "* * * * *";

/** The daily backup (README, Operate), in every config that owns a D1 database. */
export const BACKUP_CRON = "30 3 * * *";

/** Runs the job of the cron that fired. A cron without a job is a config mistake: it fails, and shows as failed. */
export async function runCron(controller: { cron: string }, jobs: Record<string, () => Promise<unknown>>): Promise<void> {
  const job = jobs[controller.cron];
  if (job === undefined) throw new Error(`no job for the cron "${controller.cron}"; this Worker runs ${Object.keys(jobs).join(", ")}`);
  await job();
}
