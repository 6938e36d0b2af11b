import { count, isNull, min } from "drizzle-orm";
import { type Backlog, backlogOf } from "#shared/health.ts";
import { deadLetters } from "../../db/tables.ts";
import { adminDb } from "../db.ts";

/** Dead letters nobody replayed yet: how many, and how long the oldest has waited. */
export async function deadLetterBacklog(d1: D1Database): Promise<Backlog> {
  const [row] = await adminDb(d1)
    .select({ pending: count(), oldest: min(deadLetters.receivedAt) })
    .from(deadLetters)
    .where(isNull(deadLetters.replayedAt));
  return backlogOf(row);
}
