import { type Backlog, backlogOf } from "#shared/health.ts";

/** Dead letters nobody replayed yet: how many, and how long the oldest has waited. */
export function deadLetterBacklog(db: D1Database): Promise<Backlog> {
  return backlogOf(db.prepare("SELECT COUNT(*) AS pending, MIN(received_at) AS oldest FROM dead_letters WHERE replayed_at IS NULL"));
}
