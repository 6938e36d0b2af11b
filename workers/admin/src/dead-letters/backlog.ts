/** Dead letters nobody replayed yet: how many, and how long the oldest has waited. */
export async function deadLetterBacklog(db: D1Database): Promise<{ pending: number; oldestPendingSeconds: number }> {
  const row = await db
    .prepare("SELECT COUNT(*) AS pending, MIN(received_at) AS oldest FROM dead_letters WHERE replayed_at IS NULL")
    .first<{ pending: number; oldest: number | null }>();
  const pending = row?.pending ?? 0;
  const oldestPendingSeconds = row?.oldest == null ? 0 : Math.max(0, Math.round((Date.now() - row.oldest) / 1000));
  return { pending, oldestPendingSeconds };
}
