import { env } from "cloudflare:test";
import { asc, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "#schema/events.ts";
import { ORDER_STATUSES, type OrderStatus } from "#schema/orders/dto.ts";
import { createLogger } from "#shared/logger.ts";
import { outboxRow } from "#shared/outbox.ts";
import { orderLines, orders, orderTransitions, outbox } from "../db/tables.ts";
import { ordersDb } from "../src/db.ts";
import { canMove, moveOrder, TRANSITIONS } from "../src/order-status.ts";
import { loadOrder, orderSummary, viewOf, writeOrder } from "../src/order-store.ts";
import { order } from "./order-record.ts";

const db = ordersDb(env.DB);
const warnings: unknown[] = [];
const log = { ...createLogger("orders-test", "error"), warn: (msg: string, fields?: unknown) => void warnings.push({ msg, fields }) };

const status = async (id: string) => (await loadOrder(db, id))?.view.status;
const history = async (id: string) =>
  (
    await db
      .select({ toStatus: orderTransitions.toStatus })
      .from(orderTransitions)
      .where(eq(orderTransitions.orderId, id))
      .orderBy(asc(orderTransitions.at), desc(eq(orderTransitions.toStatus, "pending_payment")))
  ).map((r) => r.toStatus);
const paidOrder = (id: string) => writeOrder(db, order(id), { status: "paid", reason: "payment captured" }, []);
const outboxCount = () => db.$count(outbox);

describe("the order state machine", () => {
  it("every status is in the table, and terminal statuses go nowhere", () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
    for (const terminal of ["payment_failed", "cancelled"] as OrderStatus[]) expect(TRANSITIONS[terminal]).toEqual([]);
    // A refund may be for a partial return: what is left may still be returned, and nothing else.
    expect(TRANSITIONS.refunded).toEqual(["return_requested"]);
    expect(canMove("pending_payment", "paid")).toBe(true);
    expect(canMove("payment_failed", "paid")).toBe(false);
    expect(canMove("cancelled", "shipped")).toBe(false);
  });

  it("checkout writes the order in its final status with its whole history, once however often it is written", async () => {
    const id = `ord_${crypto.randomUUID().slice(0, 8)}`;
    const record = order(id);
    const placed = outboxRow(EVENT_TYPES.orderPlaced, orderSummary(record), undefined, `${id}:placed`);
    const before = await outboxCount();
    await writeOrder(db, record, { status: "payment_failed", reason: "declined" }, [placed]);
    await writeOrder(db, record, { status: "payment_failed", reason: "declined" }, [placed]); // a resumed step
    expect(await status(id)).toBe("payment_failed");
    expect(await history(id)).toEqual(["pending_payment", "payment_failed"]);
    expect(await db.$count(orderLines, eq(orderLines.orderId, id))).toBe(1);
    expect(await outboxCount()).toBe(before + 1);
    // The checkout's answer is built from what it wrote, not read back: it must be what a read shows.
    expect(viewOf(record, "payment_failed")).toEqual((await loadOrder(db, id))?.view);
  });

  it("an order an earlier release left pending_payment is moved on by the same write", async () => {
    const id = `ord_${crypto.randomUUID().slice(0, 8)}`;
    await paidOrder(id);
    // As the earlier release's checkout left it: written, not yet paid.
    await db.batch([
      db.update(orders).set({ status: "pending_payment" }).where(eq(orders.id, id)),
      db.delete(orderTransitions).where(eq(orderTransitions.id, `${id}:paid`)),
    ]);
    await paidOrder(id);
    expect(await status(id)).toBe("paid");
    expect(await history(id)).toEqual(["pending_payment", "paid"]);
  });

  it("moves along the table with its event in one transaction, and refuses (and logs) any other move", async () => {
    const id = `ord_${crypto.randomUUID().slice(0, 8)}`;
    await paidOrder(id);
    const before = await outboxCount();

    const cancelled = await moveOrder(db, log, id, "cancelled", "merchant", [
      outboxRow(EVENT_TYPES.orderCancelled, { orderId: id, reason: "merchant" }, undefined, `${id}:cancelled`),
    ]);
    expect(cancelled).toMatchObject({ ok: true, repeated: false });
    expect(await status(id)).toBe("cancelled");
    expect(await outboxCount()).toBe(before + 1);

    warnings.length = 0;
    const shipped = await moveOrder(db, log, id, "shipped", "late label", [
      outboxRow(EVENT_TYPES.orderCancelled, { orderId: id, reason: "x" }, undefined, `${id}:bogus`),
    ]);
    expect(shipped).toEqual({ ok: false, from: "cancelled" });
    expect(await status(id)).toBe("cancelled");
    expect(await outboxCount()).toBe(before + 1); // the refused move queued nothing
    expect(warnings).toHaveLength(1);

    // Asking again for the status it has is a harmless repeat.
    expect(await moveOrder(db, log, id, "cancelled", "retry")).toMatchObject({ ok: true, repeated: true });
  });

  it("of two concurrent moves from one status, one wins", async () => {
    const id = `ord_${crypto.randomUUID().slice(0, 8)}`;
    await paidOrder(id);
    const [a, b] = await Promise.all([moveOrder(db, log, id, "fulfilling", "label"), moveOrder(db, log, id, "cancelled", "shopper")]);
    const moved = [a, b].filter((r) => r.ok);
    expect(moved).toHaveLength(1);
    expect(await history(id)).toEqual(["pending_payment", "paid", await status(id)]);
  });
});
