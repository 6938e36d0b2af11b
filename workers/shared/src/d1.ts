import type { BatchItem } from "drizzle-orm/batch";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";

// The one way a Worker reads and writes its D1 database: drizzle over the binding, with the tables in the
// Worker's own db/tables.ts. Writes that must commit together are `Change`s run as one D1 batch (one transaction).

/** A drizzle database over any Worker's D1 binding (shared code names only the tables it owns itself). */
export type D1Db = DrizzleD1Database<Record<string, unknown>>;

/** One write of a batch: a drizzle query, not yet run. */
export type Change = BatchItem<"sqlite">;

/** Drizzle over a D1 binding, for shared code that does not know the Worker's schema. */
export const d1Db = (d1: D1Database): D1Db => drizzle(d1);

/** Runs `changes` as one transaction (D1 runs a batch atomically); nothing to run is not an error. */
export async function commit(db: Pick<D1Db, "batch">, changes: readonly Change[]): Promise<void> {
  const [first, ...rest] = changes;
  if (first === undefined) return;
  await db.batch([first, ...rest]);
}

/**
 * TRANSITION (issue 24): a Worker not yet on drizzle still hands the consumer raw statements; this runs both
 * kinds in one D1 batch. Goes once every Worker returns `Change`s.
 */
export type Effect = Change | D1PreparedStatement;
type Built = { toSQL(): { sql: string; params: unknown[] } };
const isStatement = (effect: Effect): effect is D1PreparedStatement => "bind" in effect;
export async function commitEffects(d1: D1Database, effects: readonly Effect[]): Promise<void> {
  if (effects.length === 0) return;
  await d1.batch(
    effects.map((e): D1PreparedStatement => {
      if (isStatement(e)) return e;
      const { sql, params } = (e as Change & Built).toSQL();
      return d1.prepare(sql).bind(...params);
    }),
  );
}
