import { DurableObject } from "cloudflare:workers";
import {
  AddItemBody,
  type CartAccess,
  type CartCall,
  type CartView,
  type CheckoutLine,
  type CheckoutRefusal,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
} from "#schema/cart.ts";
import type { Purchasable } from "#schema/catalog/dto.ts";
import { EVENT_TYPES } from "#schema/events.ts";
import { sha256Hex, timingSafeEqualText } from "#shared/crypto.ts";
import { createLogger, parseLogLevel } from "#shared/logger.ts";
import { objectLogger } from "#shared/object-logger.ts";
import { ObjectSchema } from "#shared/object-schema.ts";
import { flushOutbox, objectOutbox, outboxRow } from "#shared/outbox.ts";
import { parseInput } from "#shared/parse.ts";
import type { CallContext } from "#shared/request-id.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { TtlCache } from "#shared/ttl-cache.ts";
import { CART_SCHEMA } from "./cart-schema.ts";

type LineRow = {
  sku: string;
  product_slug: string;
  title: string;
  quantity: number;
  unit_price: number;
  currency: string;
  purchasable: number;
  price_was: number | null;
  hold_id: string | null;
  hold_expires_at: number | null;
  hold_version: number;
  added_at: number;
};
type CartRow = { token_hash: string | null; owner_user_id: string | null; created_at: number; updated_at: number };

const DEFAULT_CURRENCY = "USD";
const seconds = (value: string, fallback: number): number =>
  Number.isFinite(Number(value)) && Number(value) > 0 ? Number(value) * 1000 : fallback;

/**
 * One shopper's cart (the object's name is the cart id). Prices come from the catalog, never the client,
 * and are refreshed on every read. Mutations run one at a time, so a line's quantity, its stock check and
 * its flash-sale hold always agree.
 */
// Prices and buyability by SKU, shared by every cart in this isolate: adding to a cart needs no catalog call
// (and no D1 query) for a SKU priced in the last few seconds.
const PRICE_CACHE_MS = 5_000;
const priceCache = new TtlCache<Purchasable>(PRICE_CACHE_MS, 50_000);
const copyCached = (sku: string, into: Record<string, Purchasable>): boolean => {
  const hit = priceCache.get(sku);
  if (hit !== undefined) into[sku] = hit;
  return hit !== undefined;
};

export class Cart extends DurableObject<DurableObjectsEnv> {
  private readonly schema: ObjectSchema<SqlStorage>;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: DurableObjectsEnv) {
    super(ctx, env);
    this.schema = new ObjectSchema(ctx.storage, CART_SCHEMA);
  }

  // The first use of the tables brings an existing cart's schema to the newest version (or makes it, in `make`).
  private get sql(): SqlStorage {
    return this.schema.sql;
  }

  private get id(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }

  private get idleTtlMs(): number {
    return seconds(this.env.CART_IDLE_TTL_SECONDS, 7 * 24 * 3600_000);
  }

  private get flashTtlMs(): number {
    return seconds(this.env.FLASH_HOLD_TTL_SECONDS, 600_000);
  }

  private get flashMaxPerShopper(): number {
    const n = Number(this.env.FLASH_SALE_MAX_PER_SHOPPER);
    return Number.isInteger(n) && n > 0 ? n : 2;
  }

  /** Runs mutations one after another, even across the awaits on the catalog and inventory. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  // A stranger's probe of a random id must not create anything, so tables exist only once a cart does.
  private exists(): boolean {
    return this.schema.hasTable("cart");
  }

  private row(): CartRow | undefined {
    return this.sql.exec<CartRow>("SELECT token_hash, owner_user_id, created_at, updated_at FROM cart WHERE id = 1").toArray()[0];
  }

  /** A guest cart opens with its token; a shopper's cart with the signed-in shopper's id, and nothing else. */
  private async allowed(access: CartAccess): Promise<boolean> {
    if (!this.exists()) return false;
    const row = this.row();
    if (row === undefined) return false;
    if (row.owner_user_id !== null) return typeof access?.userId === "string" && access.userId === row.owner_user_id;
    return (
      row.token_hash !== null && typeof access?.token === "string" && timingSafeEqualText(await sha256Hex(access.token), row.token_hash)
    );
  }

  private lines(): LineRow[] {
    return this.sql.exec<LineRow>("SELECT * FROM lines ORDER BY added_at, sku").toArray();
  }

  private async touch(): Promise<number> {
    const now = Date.now();
    this.sql.exec("UPDATE cart SET updated_at = ? WHERE id = 1", now);
    // An alarm already set need not move with every change: when it comes, it finds the cart still in use (by
    // updated_at) and sets itself again. An alarm is a storage write of its own, and a cart changes on every add
    // and twice in a checkout.
    if (this.outbox.size() > 0 || (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(this.alarmAt(now + this.idleTtlMs));
    }
    return now + this.idleTtlMs;
  }

  /** The alarm expires the idle cart, or retries an unsent event sooner (at the latest when the cart goes). */
  private alarmAt(idleAt: number): number {
    const retry = this.outbox.retryAt();
    return retry === null ? idleAt : Math.min(idleAt, retry);
  }

  // cart.created (the conversion report's denominator) leaves through the cart's own outbox: written in the same
  // storage transaction as the cart, sent after, deleted once the queue has it; insights dedupes by event id.
  private get outbox() {
    return objectOutbox(this.sql);
  }

  /** Sends what the outbox holds; true when it is empty after. A refusal is logged and left for the alarm. */
  private async sendEvents(): Promise<boolean> {
    try {
      await flushOutbox(this.outbox, { INSIGHTS_EVENTS: this.env.INSIGHTS_EVENTS });
      return true;
    } catch (err) {
      createLogger("cart", parseLogLevel(this.env.LOG_LEVEL)).warn("cart event not sent; the alarm tries again", {
        cartId: this.id,
        error: String(err),
      });
      return false;
    }
  }

  /**
   * After the cart is made: sends its event without holding up the answer, then sets the alarm for what is left
   * (the idle expiry once sent; a retry soon if the queue refused).
   */
  private announce(): void {
    // In line with the cart's mutations, so a sign-in merge that deletes the cart meanwhile cannot cut it in half.
    this.ctx.waitUntil(
      this.serially(async () => {
        if (!this.exists()) return;
        await this.sendEvents();
        const row = this.row();
        if (row !== undefined) await this.ctx.storage.setAlarm(this.alarmAt(row.updated_at + this.idleTtlMs));
      }),
    );
  }

  private render(expiresAt: number): CartView {
    const lines = this.lines();
    const currency = lines[0]?.currency ?? DEFAULT_CURRENCY;
    const items = lines.map((l) => ({
      sku: l.sku,
      productSlug: l.product_slug,
      title: l.title,
      quantity: l.quantity,
      unitPrice: { amount: l.unit_price, currency: l.currency },
      lineTotal: { amount: l.unit_price * l.quantity, currency: l.currency },
      purchasable: l.purchasable === 1,
      ...(l.price_was !== null && l.price_was !== l.unit_price
        ? { priceChanged: { from: { amount: l.price_was, currency: l.currency } } }
        : {}),
      ...(l.hold_expires_at !== null && l.hold_expires_at > Date.now() ? { heldUntil: new Date(l.hold_expires_at).toISOString() } : {}),
    }));
    return {
      id: this.id,
      items,
      itemCount: items.reduce((n, i) => n + i.quantity, 0),
      subtotal: { amount: items.reduce((n, i) => n + i.lineTotal.amount, 0), currency },
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /**
   * Today's price and buyability of each SKU, in one call to the catalog for those not seen in the last
   * PRICE_CACHE_MS (its refusal is passed on). Carts show prices at most that old; checkout asks `fresh`, so
   * what is charged is always the catalog's price of the moment.
   */
  private async catalogFor(skus: string[], call: CallContext, fresh = false): Promise<Result<Record<string, Purchasable>>> {
    const unique = [...new Set(skus)];
    const known: Record<string, Purchasable> = {};
    const missing = fresh ? unique : unique.filter((sku) => !copyCached(sku, known));
    if (missing.length === 0) return ok(known);
    const asked = await this.env.CATALOG.getPurchasables(missing, call);
    if (!asked.ok) return asked;
    for (const [sku, p] of Object.entries(asked.value)) priceCache.set(sku, p);
    return ok({ ...known, ...asked.value });
  }

  /** Takes today's prices into the lines; a changed price is kept visible as `priceChanged`. */
  private applyPrices(prices: Record<string, Purchasable>): void {
    this.schema.transaction(() => {
      for (const line of this.lines()) {
        const now = prices[line.sku];
        const price = now?.price.amount ?? line.unit_price;
        const purchasable = now?.purchasable === true ? 1 : 0;
        if (price !== line.unit_price || purchasable !== line.purchasable) {
          this.sql.exec(
            "UPDATE lines SET unit_price = ?, price_was = coalesce(price_was, ?), purchasable = ? WHERE sku = ?",
            price,
            line.unit_price,
            purchasable,
            line.sku,
          );
        }
      }
    });
  }

  private async refreshPrices(call: CallContext): Promise<Result<null>> {
    const prices = await this.catalogFor(
      this.lines().map((l) => l.sku),
      call,
    );
    if (!prices.ok) return prices;
    this.applyPrices(prices.value);
    return ok(null);
  }

  private make(tokenHash: string | null, ownerUserId: string | null, requestId: string | undefined): void {
    const now = Date.now();
    // The first use of `sql` on a new object makes the tables.
    this.sql.exec(
      "INSERT INTO cart (id, token_hash, owner_user_id, created_at, updated_at) VALUES (1, ?, ?, ?, ?)",
      tokenHash,
      ownerUserId,
      now,
      now,
    );
    // The cart's id is the event's, so however often it is sent, it counts once.
    this.outbox.add(outboxRow(EVENT_TYPES.cartCreated, { cartId: this.id }, requestId, `cart.created:${this.id}`));
  }

  /** Makes a guest cart. The storefront gives the token's hash; the token itself never reaches storage. */
  async create(tokenHash: string, call?: CallContext): Promise<CartView> {
    this.traced("create", call);
    if (this.exists()) throw new Error(`cart ${this.id} exists already`);
    this.make(tokenHash, null, call?.requestId);
    const view = this.render(await this.touch());
    this.announce();
    return view;
  }

  /** The signed-in shopper's cart (its id derives from the user id): made on first use, the same after. */
  async openForUser(userId: string, call: CallContext): Promise<Result<CartView & { created: boolean }>> {
    this.traced("openForUser", call);
    return this.serially(async () => {
      const created = !this.exists();
      if (created) {
        this.make(null, userId, call.requestId);
        this.announce();
      }
      if (!(await this.allowed({ userId }))) return this.notFound();
      const refreshed = await this.refreshPrices(call);
      if (!refreshed.ok) return refreshed;
      return ok({ ...this.render(await this.touch()), created });
    });
  }

  /** Empties a guest cart into whoever takes its lines: they come back, its holds go, the cart is deleted. */
  async drain(access: CartAccess): Promise<Result<{ sku: string; quantity: number }[]>> {
    return this.serially(async () => {
      if (!(await this.allowed(access))) return this.notFound();
      const lines = this.lines();
      await this.forget();
      return ok(lines.map((l) => ({ sku: l.sku, quantity: l.quantity })));
    });
  }

  /**
   * Adds another cart's lines to this one (sign-in merge): quantities add up, capped by the line limit and by
   * what is in stock; lines that can no longer be bought are dropped rather than failing the merge.
   */
  async absorb(access: CartAccess, incoming: { sku: string; quantity: number }[], call: CartCall): Promise<Result<CartView>> {
    this.traced("absorb", call);
    return this.serially(async () => {
      if (!(await this.allowed(access))) return this.notFound();
      const prices = await this.catalogFor([...this.lines().map((l) => l.sku), ...incoming.map((l) => l.sku)], call);
      if (!prices.ok) return prices;
      for (const line of incoming) {
        const own = this.lines().find((l) => l.sku === line.sku)?.quantity ?? 0;
        await this.putLine(line.sku, Math.min(MAX_LINE_QUANTITY, own + line.quantity), "atMost", prices.value[line.sku], call);
      }
      this.applyPrices(prices.value);
      return ok(this.render(await this.touch()));
    });
  }

  async view(access: CartAccess, call: CallContext): Promise<Result<CartView>> {
    this.traced("view", call);
    return this.serially(async () => {
      if (!(await this.allowed(access))) return this.notFound();
      const refreshed = await this.refreshPrices(call);
      if (!refreshed.ok) return refreshed;
      return ok(this.render(await this.touch()));
    });
  }

  /** Adds `quantity` to the line for `sku` (quantities add up). */
  async addItem(access: CartAccess, sku: string, quantity: number, call: CartCall): Promise<Result<CartView>> {
    this.traced("addItem", call);
    return this.changeLine(access, sku, quantity, "add", call);
  }

  /** Sets the line for `sku` to exactly `quantity`. */
  async setItem(access: CartAccess, sku: string, quantity: number, call: CartCall): Promise<Result<CartView>> {
    this.traced("setItem", call);
    return this.changeLine(access, sku, quantity, "set", call);
  }

  async removeItem(access: CartAccess, sku: string, call: CallContext): Promise<Result<CartView>> {
    this.traced("removeItem", call);
    return this.serially(async () => {
      if (!(await this.allowed(access))) return this.notFound();
      const line = this.lines().find((l) => l.sku === sku);
      if (line === undefined) return fail(404, `the cart has no line for SKU '${sku}'`, "sku");
      if (line.hold_id !== null) await this.env.INVENTORY.getByName(sku).release(line.hold_id, { requestId: call.requestId });
      this.sql.exec("DELETE FROM lines WHERE sku = ?", sku);
      const refreshed = await this.refreshPrices(call);
      if (!refreshed.ok) return refreshed;
      return ok(this.render(await this.touch()));
    });
  }

  /**
   * The cart as checkout needs it, in one call: today's catalog price and merchant of every line, and each
   * flash-sale line's hold extended by `holdTtlMs` (or taken again, within the shopper's share, if it lapsed)
   * so checkout commits the cart's own hold (`holdTtlMs` 0: a quote, holds untouched). Lines that cannot be sold
   * come back as refusals, not errors.
   */
  async checkoutLines(
    access: CartAccess,
    holdTtlMs: number,
    call: CartCall,
  ): Promise<Result<{ lines: CheckoutLine[]; refusals: CheckoutRefusal[] }>> {
    this.traced("checkoutLines", call);
    return this.serially(async () => {
      if (!(await this.allowed(access))) return this.notFound();
      const rows = this.lines();
      const prices = await this.catalogFor(
        rows.map((l) => l.sku),
        call,
        true,
      );
      if (!prices.ok) return prices;
      this.applyPrices(prices.value);
      const lines: CheckoutLine[] = [];
      const refusals: CheckoutRefusal[] = [];
      for (const row of rows) {
        const item = prices.value[row.sku];
        if (item === undefined || !item.purchasable) {
          refusals.push({ sku: row.sku, requested: row.quantity, available: 0, reason: "unavailable" });
          continue;
        }
        let cartHoldId: string | null = row.hold_id;
        // A quote (no TTL) only looks; checkout renews the flash-sale hold it will commit.
        if (item.flashSale && holdTtlMs > 0) {
          const renewed = await this.renewFlashHold(row, holdTtlMs, call);
          if (!renewed.ok) {
            refusals.push(renewed.refusal);
            continue;
          }
          cartHoldId = renewed.holdId;
        }
        lines.push({
          sku: row.sku,
          productSlug: item.productSlug,
          title: item.title,
          quantity: row.quantity,
          unitPrice: item.price,
          merchantId: item.merchantId,
          department: item.department,
          cartHoldId,
        });
      }
      await this.touch();
      return ok({ lines, refusals });
    });
  }

  private async renewFlashHold(
    row: LineRow,
    ttlMs: number,
    call: CartCall,
  ): Promise<{ ok: true; holdId: string } | { ok: false; refusal: CheckoutRefusal }> {
    const inventory = this.env.INVENTORY.getByName(row.sku);
    if (row.hold_id !== null) {
      const extended = await inventory.extend(row.hold_id, ttlMs, { requestId: call.requestId });
      if (extended.ok) {
        this.sql.exec("UPDATE lines SET hold_expires_at = ? WHERE sku = ?", extended.hold.expiresAt, row.sku);
        return { ok: true, holdId: row.hold_id };
      }
    }
    const version = row.hold_version + 1;
    const held = await inventory.hold(
      `cart:${this.id}:${row.sku}:${version}`,
      row.quantity,
      ttlMs,
      `cart:${this.id}`,
      { shopper: call.shopper ?? `cart:${this.id}`, maxPerShopper: this.flashMaxPerShopper },
      { requestId: call.requestId },
    );
    if (!held.ok) {
      const reason = held.reason === "limit" ? "limit" : "insufficient";
      return { ok: false, refusal: { sku: row.sku, requested: row.quantity, available: held.stock.available, reason } };
    }
    this.sql.exec(
      "UPDATE lines SET hold_id = ?, hold_expires_at = ?, hold_version = ? WHERE sku = ?",
      held.hold.holdId,
      held.hold.expiresAt,
      version,
      row.sku,
    );
    return { ok: true, holdId: held.hold.holdId };
  }

  /**
   * An order took these lines: they leave the cart without releasing their holds (checkout committed them).
   * Only what the order took goes: a line the shopper raised meanwhile keeps the difference. Repeating it
   * changes nothing.
   */
  async completeCheckout(
    orderId: string,
    taken: { sku: string; quantity: number }[],
    call?: CallContext,
  ): Promise<{ removed: number; orderId: string }> {
    this.traced("completeCheckout", call);
    return this.serially(async () => {
      if (!this.exists()) return { removed: 0, orderId };
      if (this.sql.exec("SELECT 1 FROM completed_orders WHERE order_id = ?", orderId).toArray().length > 0) return { removed: 0, orderId };
      let removed = 0;
      for (const line of taken) {
        const row = this.lines().find((l) => l.sku === line.sku);
        if (row === undefined) continue;
        if (row.quantity <= line.quantity) this.sql.exec("DELETE FROM lines WHERE sku = ?", line.sku);
        else
          this.sql.exec(
            "UPDATE lines SET quantity = quantity - ?, hold_id = NULL, hold_expires_at = NULL WHERE sku = ?",
            line.quantity,
            line.sku,
          );
        removed++;
      }
      this.sql.exec("INSERT INTO completed_orders (order_id) VALUES (?)", orderId);
      await this.touch();
      return { removed, orderId };
    });
  }

  // A line per call under its caller's request id (the shopper's own, not the cart token or their user id).
  private traced(method: string, call: CallContext | undefined): void {
    const log = objectLogger("durable-objects", "Cart", this.env.LOG_LEVEL, call && { requestId: call.requestId }, { cartId: this.id });
    if (log.enabled("debug")) log.debug("object call", { method });
  }

  private notFound<T>(): Result<T> {
    return fail(404, `no cart ${this.id} (or the X-Cart-Token does not match it)`);
  }

  private changeLine(access: CartAccess, sku: string, quantity: number, mode: "add" | "set", call: CartCall): Promise<Result<CartView>> {
    return this.serially(async () => {
      if (!(await this.allowed(access))) return this.notFound();
      const args = parseInput(AddItemBody, { sku, quantity });
      if (!args.ok) return args;
      const current = this.lines().find((l) => l.sku === sku);
      const wanted = mode === "add" ? (current?.quantity ?? 0) + quantity : quantity;
      if (wanted > MAX_LINE_QUANTITY) {
        return fail(400, `a line holds at most ${MAX_LINE_QUANTITY}; this would make ${wanted}`, "quantity", {
          maxQuantity: MAX_LINE_QUANTITY,
        });
      }
      // One catalog call prices the new line and refreshes the others.
      const prices = await this.catalogFor([...this.lines().map((l) => l.sku), sku], call);
      if (!prices.ok) return prices;
      const put = await this.putLine(sku, wanted, "exact", prices.value[sku], call);
      if (!put.ok) return put;
      this.applyPrices(prices.value);
      return ok(this.render(await this.touch()));
    });
  }

  /**
   * Sets the line for `sku` to `wanted`: checks the catalog's `item` (exists, for sale, same currency) and stock, and
   * for flash-sale items holds the stock. "exact" refuses what it cannot give (409 with `available`);
   * "atMost" gives what stock allows (for merging carts). Answers the quantity the line now has.
   */
  private async putLine(
    sku: string,
    wanted: number,
    policy: "exact" | "atMost",
    item: Purchasable | undefined,
    call: CartCall,
  ): Promise<Result<number>> {
    const lines = this.lines();
    const current = lines.find((l) => l.sku === sku);
    if (current === undefined && lines.length >= MAX_CART_LINES) return fail(409, `a cart holds at most ${MAX_CART_LINES} different items`);

    if (item === undefined) return fail(404, `no product has SKU '${sku}'`, "sku");
    if (!item.purchasable) return fail(409, `SKU '${sku}' is not for sale right now`, "sku");
    const cartCurrency = lines.find((l) => l.sku !== sku)?.currency;
    if (cartCurrency !== undefined && cartCurrency !== item.price.currency) {
      return fail(409, `this cart is in ${cartCurrency}; SKU '${sku}' is priced in ${item.price.currency}`, "sku");
    }

    const inventory = this.env.INVENTORY.getByName(sku);
    // What this cart itself holds counts as available to it.
    const ownHold = current?.hold_id ? current.quantity : 0;
    const { available } = await inventory.stock();
    let quantity = wanted;
    if (available + ownHold < wanted) {
      if (policy === "exact") return this.shortOfStock(sku, wanted, available + ownHold);
      quantity = available + ownHold;
    }
    if (quantity <= 0 || quantity === current?.quantity) return ok(current?.quantity ?? 0);

    let hold: { id: string; expiresAt: number; version: number } | null = null;
    if (item.flashSale) {
      // Flash-sale stock is held now. The new quantity's hold replaces the line's old one in one step, never
      // outliving it, and counts against the shopper's share across all their carts.
      const version = (current?.hold_version ?? 0) + 1;
      const result = await inventory.hold(
        `cart:${this.id}:${sku}:${version}`,
        quantity,
        this.flashTtlMs,
        `cart:${this.id}`,
        {
          ...(current?.hold_id ? { replaces: current.hold_id } : {}),
          shopper: call.shopper ?? `cart:${this.id}`,
          maxPerShopper: this.flashMaxPerShopper,
        },
        { requestId: call.requestId },
      );
      if (!result.ok) {
        if (result.reason === "limit") {
          return fail(
            409,
            `flash-sale items are limited to ${result.limit} per shopper; you hold ${result.held} of SKU '${sku}'`,
            "quantity",
            {
              sku,
              limit: result.limit,
            },
          );
        }
        if (result.reason === "invalid") return { ok: false, problem: result.problem };
        return this.shortOfStock(sku, quantity, result.stock.available);
      }
      hold = { id: result.hold.holdId, expiresAt: result.hold.expiresAt, version };
    }

    this.sql.exec(
      `INSERT INTO lines (sku, product_slug, title, quantity, unit_price, currency, purchasable, hold_id, hold_expires_at, hold_version, added_at)
       VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
       ON CONFLICT (sku) DO UPDATE SET quantity = excluded.quantity, unit_price = excluded.unit_price, price_was = NULL,
         title = excluded.title, purchasable = 1, hold_id = excluded.hold_id, hold_expires_at = excluded.hold_expires_at,
         hold_version = excluded.hold_version`,
      sku,
      item.productSlug,
      item.title,
      quantity,
      item.price.amount,
      item.price.currency,
      hold?.id ?? null,
      hold?.expiresAt ?? null,
      hold?.version ?? current?.hold_version ?? 0,
      current?.added_at ?? Date.now(),
    );
    return ok(quantity);
  }

  private shortOfStock<T>(sku: string, requested: number, available: number): Result<T> {
    return fail(409, `only ${available} of SKU '${sku}' available; asked for ${requested}`, "quantity", { sku, available, requested });
  }

  /** An abandoned cart: its holds go back to stock and the cart is deleted. */
  override async alarm(): Promise<void> {
    if (!this.exists()) return;
    await this.sendEvents();
    const row = this.row();
    if (row !== undefined && row.updated_at + this.idleTtlMs > Date.now()) {
      await this.ctx.storage.setAlarm(this.alarmAt(row.updated_at + this.idleTtlMs));
      return;
    }
    await this.forget();
  }

  /** The owner's account was erased: the cart goes, its holds back to stock. Erasing twice changes nothing. */
  async erase(call?: CallContext): Promise<void> {
    this.traced("erase", call);
    await this.serially(() => this.forget());
  }

  private async forget(): Promise<void> {
    if (!this.exists()) return;
    // Last chance for an unsent event: the cart's storage goes, and an erasure does not wait for a queue.
    await this.sendEvents();
    for (const line of this.lines()) {
      if (line.hold_id !== null) await this.env.INVENTORY.getByName(line.sku).release(line.hold_id);
    }
    await this.ctx.storage.deleteAlarm();
    await this.schema.deleteAll();
  }
}
