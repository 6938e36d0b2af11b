import { and, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { z } from "zod";
import { fail, type Result } from "#shared/result.ts";
import { type LedgerKind, type LedgerStatus, ledger } from "../db/tables.ts";
import type { PaymentsDb } from "./db.ts";

export type LedgerRow = typeof ledger.$inferSelect;

/**
 * A claim older than this is taken to be abandoned (its Worker died mid-call) and may be claimed again.
 * Longer than any provider call's deadline, so a live call is never taken over.
 */
export const STALE_CLAIM_MS = 60_000;

/** Answers a retry replays as they are. `unavailable`, `in_progress` and `deferred` are not answers yet. */
const FINAL: ReadonlySet<LedgerStatus> = new Set(["authorized", "pending", "declined", "captured", "voided", "refunded", "refused"]);
export const isFinal = (status: LedgerStatus): boolean => FINAL.has(status);

export type Operation = {
  paymentId: string;
  kind: LedgerKind;
  idempotencyKey: string;
  amount: number;
  currency: string | null;
};

export type Claim =
  /** Ours to run: the key was new, or its last try was unavailable or abandoned. */
  | { kind: "claimed"; row: LedgerRow }
  /** The key is recorded and not ours to run: a final answer, a call under way, or a retry the guard refuses. */
  | { kind: "recorded"; row: LedgerRow }
  /** The key is new and the guard refused it (the payment's state does not allow the operation). */
  | { kind: "refused" }
  /** The key was used for another operation. */
  | { kind: "conflict"; row: LedgerRow };

/**
 * Claims an idempotency key for one operation, in single statements that D1 runs one at a time: of two
 * concurrent calls with one key exactly one claims it (INSERT … ON CONFLICT DO NOTHING), and `guard` (a SQL
 * condition on the payment's state) is checked in the same statement that claims, so nothing can change
 * between the check and the claim.
 */
export async function claim(db: PaymentsDb, op: Operation, guard: SQL, now: number): Promise<Claim> {
  const id = `led_${crypto.randomUUID().replaceAll("-", "")}`;
  // The WHERE also keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT. RETURNING gives
  // the claimed row back in the same round trip; a conflict or a refusing guard returns nothing.
  const inserted = await db.get<RawRow | undefined>(sql`
    INSERT INTO ledger (id, payment_id, kind, idempotency_key, amount, currency, status, attempts, created_at, updated_at)
    SELECT ${id}, ${op.paymentId}, ${op.kind}, ${op.idempotencyKey}, ${op.amount}, ${op.currency}, 'in_progress', 1, ${now}, ${now}
    WHERE ${guard}
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING *`);
  if (inserted !== undefined) return { kind: "claimed", row: ledgerRowOf(inserted) };

  const row = await findByKey(db, op.idempotencyKey);
  if (row === undefined) return { kind: "refused" };
  if (!sameOperation(row, op)) return { kind: "conflict", row };
  if (isFinal(row.status)) return { kind: "recorded", row };
  const retried = await db.get<RawRow | undefined>(sql`
    UPDATE ledger SET status = 'in_progress', attempts = attempts + 1, updated_at = ${now}
    WHERE idempotency_key = ${op.idempotencyKey}
      AND (status IN ('unavailable', 'deferred') OR (status = 'in_progress' AND updated_at < ${now - STALE_CLAIM_MS}))
      AND ${guard}
    RETURNING *`);
  if (retried !== undefined) return { kind: "claimed", row: ledgerRowOf(retried) };
  // Not ours: read it again, since a concurrent retry may have just claimed it.
  return { kind: "recorded", row: await mustFind(db, op.idempotencyKey) };
}

/** A ledger row as raw SQL (`RETURNING *`) gives it: keyed by column name, values as the driver has them. */
type RawRow = Record<string, unknown>;
const LEDGER_COLUMNS = Object.entries(getTableColumns(ledger));

/** A raw row mapped the way drizzle maps a selected one (column name to field name, driver value to ours). */
function ledgerRowOf(raw: RawRow): LedgerRow {
  return Object.fromEntries(
    LEDGER_COLUMNS.map(([field, column]) => {
      const value = raw[column.name];
      return [field, value === null || value === undefined ? null : column.mapFromDriverValue(value)];
    }),
  ) as LedgerRow;
}

/** One key, one request: the same key with another payment, operation or amount is the caller's mistake. */
function sameOperation(row: LedgerRow, op: Operation): boolean {
  if (row.paymentId !== op.paymentId || row.kind !== op.kind) return false;
  if (op.kind === "authorize" || op.kind === "refund") return row.amount === op.amount && row.currency === op.currency;
  return true;
}

export const reusedKey = <T>(row: LedgerRow): Result<T> =>
  fail(422, `idempotency key was already used for a ${row.kind} of payment ${row.paymentId} with other parameters`, "idempotencyKey");

/** True while `rowId` is still claimed by its caller: guards the effects recorded with a provider's answer. */
export const stillClaimed = (rowId: string): SQL => sql`EXISTS (SELECT 1 FROM ledger WHERE id = ${rowId} AND status = 'in_progress')`;

export type Settlement = { status: LedgerStatus; providerRef?: string | null; detail?: Detail };

/**
 * Records a claimed operation's outcome together with its effects on the payment, in one batch (one
 * transaction). The effects come first and are guarded by `stillClaimed`, so if a webhook settled the row
 * meanwhile, neither the row nor the payment is touched twice. Answers what is recorded now.
 */
export async function settle(
  db: PaymentsDb,
  row: LedgerRow,
  outcome: Settlement,
  effects: BatchItem<"sqlite">[],
  now: number,
): Promise<LedgerRow> {
  return (await settleWith(db, row, outcome, effects, now)).row;
}

/**
 * `settle`, answering the effects' results too (e.g. the payment row an effect's `.returning()` wrote), in
 * the same round trip. The row comes back from the UPDATE itself; only when that changed nothing (a webhook
 * settled it meanwhile) is it read again.
 */
export async function settleWith<const E extends BatchItem<"sqlite">[]>(
  db: PaymentsDb,
  row: LedgerRow,
  outcome: Settlement,
  effects: E,
  now: number,
): Promise<{ row: LedgerRow; effects: BatchResponse<E> }> {
  const update = db
    .update(ledger)
    .set({
      status: outcome.status,
      providerRef: outcome.providerRef ?? row.providerRef,
      detail: outcome.detail === undefined ? row.detail : JSON.stringify(outcome.detail),
      updatedAt: now,
    })
    .where(and(eq(ledger.id, row.id), eq(ledger.status, "in_progress")))
    .returning();
  const [first, ...rest] = effects;
  let updated: LedgerRow[];
  let results: unknown[] = [];
  if (first === undefined) {
    updated = await update;
  } else {
    const batch = await db.batch([first, ...rest, update]);
    // The batch answers in order: the effects' results, then the ledger UPDATE's returned rows.
    updated = batch[batch.length - 1] as LedgerRow[];
    results = batch.slice(0, -1);
  }
  return { row: updated[0] ?? (await mustFind(db, row.idempotencyKey)), effects: results as BatchResponse<E> };
}

async function findByKey(db: PaymentsDb, idempotencyKey: string): Promise<LedgerRow | undefined> {
  const [row] = await db.select().from(ledger).where(eq(ledger.idempotencyKey, idempotencyKey)).limit(1);
  return row;
}

async function mustFind(db: PaymentsDb, idempotencyKey: string): Promise<LedgerRow> {
  const row = await findByKey(db, idempotencyKey);
  if (row === undefined) throw new Error("ledger row vanished after it was written");
  return row;
}

// What a replay needs besides the status: a decline's reason and message, the card summary, why unavailable.
const Detail = z
  .object({
    message: z.string(),
    reason: z.enum(["card_declined", "insufficient_funds", "invalid_card", "provider_error"]),
    card: z.object({ brand: z.string(), last4: z.string() }).nullable(),
  })
  .partial();
export type Detail = z.infer<typeof Detail>;

export function readDetail(text: string | null): Detail {
  if (text === null) return {};
  try {
    const parsed = Detail.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
