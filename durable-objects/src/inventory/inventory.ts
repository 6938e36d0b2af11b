import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { EVENT_TYPES } from "#schema/events.ts";
import {
  type AdjustResult,
  type CommitResult,
  Delta,
  type Hold,
  HoldOptions,
  type HoldResult,
  type HoldStatus,
  type InventorySnapshot,
  type Movement,
  type MovementKind,
  OpId,
  Quantity,
  type ReleaseResult,
  type RetireResult,
  type SellResult,
  type StockLevel,
  TtlMs,
  type UndoResult,
} from "#schema/inventory.ts";
import type { Problem } from "#schema/problem.ts";
import type { Fields } from "#shared/logger.ts";
import { recordMetric } from "#shared/metrics/record.ts";
import { objectLogger } from "#shared/object-logger.ts";
import { ObjectSchema } from "#shared/object-schema.ts";
import { flushOutbox, objectOutbox, outboxRow } from "#shared/outbox.ts";
import { parseInput } from "#shared/parse.ts";
import type { CallContext } from "#shared/request-id.ts";
import { INVENTORY_SCHEMA } from "./inventory-schema.ts";

type HoldRow = { hold_id: string; quantity: number; owner: string; status: HoldStatus; expires_at: number; shopper: string | null };
type MovementRow = { op_id: string; kind: MovementKind; delta: number; reason: string; hold_id: string | null; at: number };

const EVENT_COALESCE_MS = 200;
// Terminal holds are kept this long so repeated calls keep getting the same answer, then pruned.
const KEEP_SETTLED_MS = 7 * 24 * 3600_000;

// Arguments are checked like any boundary input: a bad one is an `invalid` answer naming the field.
const HoldArgs = z.object({
  holdId: OpId,
  quantity: Quantity,
  ttlMs: TtlMs,
  owner: z.string().min(1).max(200),
  options: HoldOptions.optional(),
});
const SellArgs = z.object({ holdId: OpId, quantity: Quantity, owner: z.string().min(1).max(200) });
const ExtendArgs = z.object({ holdId: OpId, ttlMs: TtlMs });
const RestockArgs = z.object({ opId: OpId, quantity: Quantity });
const AdjustArgs = z.object({ opId: OpId, delta: Delta });
// The merchant's own changes, refused once the SKU is retired; restocks (a sale undone, a return) still land.
const FROZEN_WHEN_RETIRED: ReadonlySet<MovementKind> = new Set(["adjustment", "correction"]);

const toHold = (r: HoldRow): Hold => ({
  holdId: r.hold_id,
  quantity: r.quantity,
  owner: r.owner,
  status: r.status,
  expiresAt: r.expires_at,
});

/**
 * One SKU's stock (the object's name is the SKU). Every change happens here, in synchronous SQLite
 * transactions with no await in between, so concurrent holds of the last unit have exactly one winner.
 * `available = onHand − active, unexpired holds`, and it is never below zero.
 */
export class Inventory extends DurableObject<DurableObjectsEnv> {
  private readonly schema: ObjectSchema<SqlStorage>;

  constructor(ctx: DurableObjectState, env: DurableObjectsEnv) {
    super(ctx, env);
    this.schema = new ObjectSchema(ctx.storage, INVENTORY_SCHEMA);
  }

  // Every use of the tables goes through here: the first brings the object's schema to the newest version, and
  // sends what an earlier life of the object left in its outbox (it was evicted before its send ran).
  private woken = false;
  private get sql(): SqlStorage {
    const sql = this.schema.sql;
    if (!this.woken) {
      this.woken = true;
      if (objectOutbox(sql).size() > 0) this.announce();
    }
    return sql;
  }

  // A line per call under its caller's request id: a checkout's holds, commits and undos are found by its request.
  private traced(method: string, call: CallContext | undefined, fields: Fields): void {
    const log = objectLogger("durable-objects", "Inventory", this.env.LOG_LEVEL, call, { sku: this.sku });
    if (log.enabled("debug")) log.debug("object call", { method, ...fields });
  }

  /** A refusal for arguments that fail their schema (the caller's bug, or a stranger's input passed on). */
  private invalid(problem: Problem): { ok: false; reason: "invalid"; problem: Problem; stock: StockLevel } {
    return { ok: false, reason: "invalid", problem, stock: this.level() };
  }

  private get sku(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }

  // `held` is a running total kept with on_hand, so reading stock costs the same with 10 holds or 10,000.
  // A retired SKU has nothing available: nobody may hold it any more, whatever is on hand.
  private level(): StockLevel {
    const { on_hand, held, retired_at } = this.sql
      .exec<{ on_hand: number; held: number; retired_at: number | null }>("SELECT on_hand, held, retired_at FROM stock WHERE id = 1")
      .one();
    return { sku: this.sku, onHand: on_hand, held, available: retired_at === null ? Math.max(0, on_hand - held) : 0 };
  }

  private retiredAt(): number | null {
    return this.sql.exec<{ retired_at: number | null }>("SELECT retired_at FROM stock WHERE id = 1").one().retired_at;
  }

  /**
   * Expires every hold whose time has come: each moves from active once, in the transaction that takes
   * its units off `held`. Runs at the start of every call (an index seek that is usually empty), so an
   * expired hold never counts; the alarm does the same for SKUs nobody touches.
   */
  private sweep(now = Date.now()): void {
    const due = this.sql
      .exec<{ n: number; q: number | null }>(
        "SELECT count(*) AS n, sum(quantity) AS q FROM holds WHERE status = 'active' AND expires_at <= ?",
        now,
      )
      .one();
    if (due.n === 0) return;
    this.sql.exec("UPDATE holds SET status = 'expired', settled_at = ? WHERE status = 'active' AND expires_at <= ?", now, now);
    this.sql.exec("UPDATE stock SET held = held - ? WHERE id = 1", due.q ?? 0);
    this.changed();
  }

  private holdRow(holdId: string): HoldRow | null {
    return (
      this.sql
        .exec<HoldRow>("SELECT hold_id, quantity, owner, status, expires_at, shopper FROM holds WHERE hold_id = ?", holdId)
        .toArray()[0] ?? null
    );
  }

  /**
   * Records that stock changed: bumps the sequence and writes `inventory.changed` to the object's outbox in the
   * same transaction, replacing an unsent older figure (the catalog keeps only the newest), then schedules the send.
   */
  private changed(): StockLevel {
    const seq = this.sql.exec<{ seq: number }>("UPDATE stock SET seq = seq + 1 WHERE id = 1 RETURNING seq").one().seq;
    const level = this.level();
    const data = { sku: level.sku, onHand: level.onHand, available: level.available, seq };
    this.outbox.add(outboxRow(EVENT_TYPES.inventoryChanged, data, undefined, `inventory.changed:${level.sku}:${seq}`), { replacing: true });
    this.announce();
    return level;
  }

  private get outbox() {
    return objectOutbox(this.sql);
  }

  // A hot SKU changes hundreds of times a second; the catalog's snapshot only needs the newest figure, so changes
  // within EVENT_COALESCE_MS go out as one event. A send the queue refuses stays in the outbox for the alarm.
  private announcing = false;
  private announce(): void {
    if (this.announcing) return;
    this.announcing = true;
    const send = async (): Promise<void> => {
      await scheduler.wait(EVENT_COALESCE_MS);
      this.announcing = false;
      await this.sendEvents();
    };
    this.ctx.waitUntil(send());
  }

  /** Sends what the outbox holds; on a refusal, logs it and sets the alarm to try again. */
  private async sendEvents(): Promise<void> {
    try {
      await flushOutbox(this.outbox, { INVENTORY_EVENTS: this.env.INVENTORY_EVENTS });
    } catch (err) {
      this.announcing = false;
      objectLogger("durable-objects", "Inventory", this.env.LOG_LEVEL, undefined, { sku: this.sku }).warn(
        "inventory.changed not sent; the alarm tries again",
        { error: String(err) },
      );
      await this.scheduleExpiry();
    }
  }

  /** The alarm's next time: the first active hold's expiry, or sooner while an event waits to be sent. */
  private async scheduleExpiry(): Promise<void> {
    const expiry = this.sql.exec<{ t: number | null }>("SELECT min(expires_at) AS t FROM holds WHERE status = 'active'").one().t;
    // While a send is on its way (announcing) it needs no alarm; one the queue refused does.
    const retry = this.announcing ? null : this.outbox.retryAt();
    const next = expiry === null ? retry : retry === null ? expiry : Math.min(expiry, retry);
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /**
   * Holds `quantity` units for `owner` until `ttlMs` from now. Repeating the same holdId changes nothing.
   * `replaces` swaps an active hold for this one in the same transaction (a cart line's new quantity): its
   * units count as available, and the new hold ends no later than the old one would have, so re-setting a
   * quantity never extends a hold. `shopper` with `maxPerShopper` caps what one shopper holds of this SKU
   * (flash sales), checked here, in the call that takes the hold.
   */
  async hold(
    holdId: string,
    quantity: number,
    ttlMs: number,
    owner: string,
    options?: HoldOptions,
    call?: CallContext,
  ): Promise<HoldResult> {
    this.traced("hold", call, { holdId, quantity });
    const args = parseInput(HoldArgs, { holdId, quantity, ttlMs, owner, options });
    if (!args.ok) return this.invalid(args.problem);
    const result = this.schema.transaction((): HoldResult => {
      const now = Date.now();
      this.sweep(now);
      const existing = this.holdRow(holdId);
      if (existing !== null) {
        const hold = toHold(existing);
        return hold.status === "active" && hold.expiresAt > now
          ? { ok: true, hold, stock: this.level() }
          : { ok: false, reason: "not_active", hold, stock: this.level() };
      }
      const stock = this.level();
      if (this.retiredAt() !== null) return { ok: false, reason: "insufficient", requested: quantity, stock };
      const replaced = options?.replaces === undefined ? null : this.holdRow(options.replaces);
      const swapping = replaced !== null && replaced.status === "active" ? replaced : null;
      if (stock.available + (swapping?.quantity ?? 0) < quantity) {
        return {
          ok: false,
          reason: "insufficient",
          requested: quantity,
          stock: { ...stock, available: stock.available + (swapping?.quantity ?? 0) },
        };
      }
      const shopper = options?.shopper ?? null;
      if (shopper !== null && options?.maxPerShopper !== undefined) {
        const { held } = this.sql
          .exec<{ held: number }>(
            "SELECT coalesce(sum(quantity), 0) AS held FROM holds WHERE shopper = ? AND status = 'active' AND hold_id != ?",
            shopper,
            swapping?.hold_id ?? "",
          )
          .one();
        if (held + quantity > options.maxPerShopper) {
          return { ok: false, reason: "limit", limit: options.maxPerShopper, held, stock };
        }
      }
      if (swapping !== null) {
        this.sql.exec("UPDATE holds SET status = 'released', settled_at = ? WHERE hold_id = ?", now, swapping.hold_id);
        this.sql.exec("UPDATE stock SET held = held - ? WHERE id = 1", swapping.quantity);
      }
      const expiresAt = Math.min(now + ttlMs, swapping?.expires_at ?? Number.POSITIVE_INFINITY);
      this.sql.exec(
        "INSERT INTO holds (hold_id, quantity, owner, status, expires_at, shopper) VALUES (?, ?, ?, 'active', ?, ?)",
        holdId,
        quantity,
        owner,
        expiresAt,
        shopper,
      );
      this.sql.exec("UPDATE stock SET held = held + ? WHERE id = 1", quantity);
      return { ok: true, hold: { holdId, quantity, owner, status: "active", expiresAt }, stock: this.changed() };
    });
    if (result.ok) await this.scheduleExpiry();
    else if (result.reason === "insufficient") this.countRefusal("hold", quantity, result.stock.available);
    return result;
  }

  /** Moves an active hold's expiry to `ttlMs` from now (checkout keeps its holds alive while it runs). */
  async extend(holdId: string, ttlMs: number, call?: CallContext): Promise<HoldResult> {
    this.traced("extend", call, { holdId });
    const args = parseInput(ExtendArgs, { holdId, ttlMs });
    if (!args.ok) return this.invalid(args.problem);
    const result = this.schema.transaction((): HoldResult => {
      this.sweep();
      const row = this.holdRow(holdId);
      if (row === null || row.status !== "active") {
        const stock = this.level();
        return row === null
          ? { ok: false, reason: "insufficient", requested: 0, stock }
          : { ok: false, reason: "not_active", hold: toHold(row), stock };
      }
      const expiresAt = Math.max(row.expires_at, Date.now() + ttlMs);
      this.sql.exec("UPDATE holds SET expires_at = ? WHERE hold_id = ?", expiresAt, holdId);
      return { ok: true, hold: { ...toHold(row), expiresAt }, stock: this.level() };
    });
    await this.scheduleExpiry();
    return result;
  }

  /** Gives a hold's units back. Releasing twice, or releasing a settled hold, changes nothing. */
  async release(holdId: string, call?: CallContext): Promise<ReleaseResult> {
    this.traced("release", call, { holdId });
    const result = this.schema.transaction((): ReleaseResult => {
      this.sweep();
      const row = this.holdRow(holdId);
      if (row === null || row.status !== "active") return { released: false, hold: row && toHold(row), stock: this.level() };
      this.sql.exec("UPDATE holds SET status = 'released', settled_at = ? WHERE hold_id = ?", Date.now(), holdId);
      this.sql.exec("UPDATE stock SET held = held - ? WHERE id = 1", row.quantity);
      return { released: true, hold: { ...toHold(row), status: "released" }, stock: this.changed() };
    });
    await this.scheduleExpiry();
    return result;
  }

  /** Turns an active hold into a sale: on hand goes down by its quantity. Committing twice is one sale. */
  async commit(holdId: string, call?: CallContext): Promise<CommitResult> {
    this.traced("commit", call, { holdId });
    const result = this.schema.transaction((): CommitResult => {
      const row = this.holdRow(holdId);
      if (row === null) return { ok: false, reason: "unknown_hold", hold: null, stock: this.level() };
      if (row.status === "committed") return { ok: true, hold: toHold(row), stock: this.level() };
      if (row.status !== "active") return { ok: false, reason: "not_active", hold: toHold(row), stock: this.level() };
      return this.sellHeld(row);
    });
    await this.scheduleExpiry();
    // The hold lapsed (or never was): selling now could sell units someone else holds.
    if (!result.ok) this.countRefusal("commit", result.hold?.quantity ?? 0, result.stock.available);
    return result;
  }

  /**
   * Sells `quantity` in one transaction, as checkout does: a hold taken and committed at once, so a checkout
   * costs each SKU one write instead of two (hold, then commit). The hold id makes it repeatable: a sale already
   * made under it answers the same; a hold still active under it (an earlier release's checkout) is committed.
   * The row is kept as a committed hold so `undo` can put the units back.
   */
  async sell(holdId: string, quantity: number, owner: string, call?: CallContext): Promise<SellResult> {
    this.traced("sell", call, { holdId, quantity });
    const args = parseInput(SellArgs, { holdId, quantity, owner });
    if (!args.ok) return this.invalid(args.problem);
    let committedActive = false;
    const result = this.schema.transaction((): SellResult => {
      const now = Date.now();
      this.sweep(now);
      const existing = this.holdRow(holdId);
      if (existing !== null) {
        if (existing.status === "committed") return { ok: true, hold: toHold(existing), stock: this.level() };
        if (existing.status !== "active") return { ok: false, reason: "not_active", hold: toHold(existing), stock: this.level() };
        committedActive = true;
        return this.sellHeld(existing);
      }
      const stock = this.level();
      if (stock.available < quantity) return { ok: false, reason: "insufficient", requested: quantity, stock };
      this.sql.exec(
        "INSERT INTO holds (hold_id, quantity, owner, status, expires_at, settled_at) VALUES (?, ?, ?, 'committed', ?, ?)",
        holdId,
        quantity,
        owner,
        now,
        now,
      );
      this.sql.exec("UPDATE stock SET on_hand = on_hand - ? WHERE id = 1", quantity);
      this.recordSale(holdId, quantity, now);
      return { ok: true, hold: { holdId, quantity, owner, status: "committed", expiresAt: now }, stock: this.changed() };
    });
    // Only committing an active hold changes which holds expire next.
    if (committedActive) await this.scheduleExpiry();
    if (!result.ok && result.reason === "insufficient") this.countRefusal("hold", quantity, result.stock.available);
    return result;
  }

  /** An active hold becomes a sale (inside the caller's transaction). */
  private sellHeld(row: HoldRow): { ok: true; hold: Hold; stock: StockLevel } {
    const now = Date.now();
    this.sql.exec("UPDATE holds SET status = 'committed', settled_at = ? WHERE hold_id = ?", now, row.hold_id);
    this.sql.exec("UPDATE stock SET on_hand = on_hand - ?, held = held - ? WHERE id = 1", row.quantity, row.quantity);
    this.recordSale(row.hold_id, row.quantity, now);
    return { ok: true, hold: { ...toHold(row), status: "committed" }, stock: this.changed() };
  }

  private recordSale(holdId: string, quantity: number, at: number): void {
    this.sql.exec(
      "INSERT INTO movements (op_id, kind, delta, reason, hold_id, at) VALUES (?, 'sale', ?, 'sale', ?, ?)",
      `sale:${holdId}`,
      -quantity,
      holdId,
      at,
    );
  }

  /** An oversell refused (operations metrics): the SKU had not enough for a hold, or a sale had no hold left. */
  private countRefusal(operation: "hold" | "commit", requested: number, available: number): void {
    const point = { kind: "oversell", service: "durable-objects", operation, sku: this.sku || "(unknown)", requested, available } as const;
    recordMetric(this.env.METRICS, point, (p) => this.ctx.waitUntil(p));
  }

  /**
   * Undoes whatever a hold did, in one call: an active hold is released (only if `releaseActive`: a cart's own
   * hold is the cart's to release), a committed one has its units put back on hand (a `reversal` movement), and
   * the hold ends `reversed` so undoing again changes nothing. A checkout's compensation calls this for every
   * hold it may have taken or committed, without first asking which (a check and an act in two calls could race).
   */
  async undo(holdId: string, releaseActive: boolean, call?: CallContext): Promise<UndoResult> {
    this.traced("undo", call, { holdId });
    const result = this.schema.transaction((): UndoResult => {
      this.sweep();
      const row = this.holdRow(holdId);
      if (row === null) return { undone: "nothing", hold: null, stock: this.level() };
      const now = Date.now();
      if (row.status === "active" && releaseActive) {
        this.sql.exec("UPDATE holds SET status = 'released', settled_at = ? WHERE hold_id = ?", now, holdId);
        this.sql.exec("UPDATE stock SET held = held - ? WHERE id = 1", row.quantity);
        return { undone: "released", hold: { ...toHold(row), status: "released" }, stock: this.changed() };
      }
      if (row.status !== "committed") return { undone: "nothing", hold: toHold(row), stock: this.level() };
      this.sql.exec("UPDATE holds SET status = 'reversed', settled_at = ? WHERE hold_id = ?", now, holdId);
      this.sql.exec("UPDATE stock SET on_hand = on_hand + ? WHERE id = 1", row.quantity);
      this.sql.exec(
        "INSERT INTO movements (op_id, kind, delta, reason, hold_id, at) VALUES (?, 'reversal', ?, 'sale undone', ?, ?)",
        `reversal:${holdId}`,
        row.quantity,
        holdId,
        now,
      );
      return { undone: "reversed", hold: { ...toHold(row), status: "reversed" }, stock: this.changed() };
    });
    await this.scheduleExpiry();
    return result;
  }

  /** Adds stock (opening balance, restock, return). Idempotent by opId. */
  async restock(
    opId: string,
    quantity: number,
    reason: string,
    kind: "opening" | "restock" | "return" = "restock",
    call?: CallContext,
  ): Promise<AdjustResult> {
    this.traced("restock", call, { opId, quantity });
    const args = parseInput(RestockArgs, { opId, quantity });
    if (!args.ok) return this.invalid(args.problem);
    return this.move(opId, kind, quantity, reason);
  }

  /** Corrects stock by `delta` (negative for shrinkage). Refused if it would leave less than is held. */
  async adjust(
    opId: string,
    delta: number,
    reason: string,
    kind: "adjustment" | "correction" = "adjustment",
    call?: CallContext,
  ): Promise<AdjustResult> {
    this.traced("adjust", call, { opId, delta });
    const args = parseInput(AdjustArgs, { opId, delta });
    if (!args.ok) return this.invalid(args.problem);
    return this.move(opId, kind, delta, reason);
  }

  private move(opId: string, kind: MovementKind, delta: number, reason: string): AdjustResult {
    return this.schema.transaction((): AdjustResult => {
      this.sweep();
      const done = this.sql.exec<{ op_id: string }>("SELECT op_id FROM movements WHERE op_id = ?", opId).toArray();
      if (done.length > 0) return { ok: true, stock: this.level() };
      const stock = this.level();
      if (FROZEN_WHEN_RETIRED.has(kind) && this.retiredAt() !== null) return { ok: false, reason: "retired", stock };
      if (stock.onHand + delta < stock.held) return { ok: false, reason: "below_held", stock };
      this.sql.exec("UPDATE stock SET on_hand = on_hand + ? WHERE id = 1", delta);
      this.sql.exec(
        "INSERT INTO movements (op_id, kind, delta, reason, hold_id, at) VALUES (?, ?, ?, ?, NULL, ?)",
        opId,
        kind,
        delta,
        reason.slice(0, 200),
        Date.now(),
      );
      return { ok: true, stock: this.changed() };
    });
  }

  /**
   * Retires the SKU for good (its variant left the catalog, and a SKU is never used again): from this
   * transaction on, no new hold is taken and no adjustment made, so nothing can be sold or stocked under it.
   * Holds taken before still commit or release as their owners decide, and a sale undone or a return still
   * comes back on hand, so its history stays true. Repeating it changes nothing. Answers what the SKU had.
   */
  retire(): RetireResult {
    return this.schema.transaction((): RetireResult => {
      this.sweep();
      let retiredAt = this.retiredAt();
      if (retiredAt === null) {
        retiredAt = Date.now();
        this.sql.exec("UPDATE stock SET retired_at = ? WHERE id = 1", retiredAt);
        this.changed(); // the catalog's snapshot hears that nothing is available
      }
      const { holds, movements } = this.sql
        .exec<{ holds: number; movements: number }>(
          "SELECT (SELECT count(*) FROM holds WHERE status = 'active') AS holds, (SELECT count(*) FROM movements) AS movements",
        )
        .one();
      return { retiredAt, stock: this.level(), activeHolds: holds, movements };
    });
  }

  /** Stock level, active holds and the most recent movements. */
  snapshot(limit = 50): InventorySnapshot {
    this.schema.transaction(() => this.sweep());
    const holds = this.sql
      .exec<HoldRow>("SELECT hold_id, quantity, owner, status, expires_at, shopper FROM holds WHERE status = 'active' ORDER BY expires_at")
      .toArray()
      .map(toHold);
    const movements: Movement[] = this.sql
      .exec<MovementRow>(
        "SELECT op_id, kind, delta, reason, hold_id, at FROM movements ORDER BY at DESC, op_id DESC LIMIT ?",
        Math.min(500, Math.max(1, limit)),
      )
      .toArray()
      .map((m) => ({ opId: m.op_id, kind: m.kind, delta: m.delta, reason: m.reason, holdId: m.hold_id, at: m.at }));
    return { ...this.level(), holds, movements, retiredAt: this.retiredAt() };
  }

  /** Current level only: the cheap read for carts and product pages. */
  stock(): StockLevel {
    return this.schema.transaction(() => {
      this.sweep();
      return this.level();
    });
  }

  /** The backstop for SKUs nobody calls: expires what is due, prunes old settled holds, sends what waits, re-arms. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.schema.transaction(() => {
      this.sweep(now);
      this.sql.exec("DELETE FROM holds WHERE status != 'active' AND settled_at < ?", now - KEEP_SETTLED_MS);
    });
    await this.sendEvents();
    await this.scheduleExpiry();
  }
}
