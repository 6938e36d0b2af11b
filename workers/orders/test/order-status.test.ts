import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../../schema/events.ts";
import { ORDER_STATUSES, type OrderStatus } from "../../../schema/orders/dto.ts";
import { createLogger } from "../../shared/src/logger.ts";
import { outboxRow } from "../../shared/src/outbox.ts";
import { canMove, moveOrder, TRANSITIONS } from "../src/order-status.ts";
import { insertOrder, loadOrder, type OrderRecord } from "../src/order-store.ts";

const warnings: unknown[] = [];
const log = { ...createLogger("orders-test", "error"), warn: (msg: string, fields?: unknown) => void warnings.push({ msg, fields }) };

function order(id: string): OrderRecord {
  return {
    id,
    userId: "usr_1",
    tokenHash: null,
    email: "a@example.com",
    currency: "USD",
    subtotal: 1000,
    shipping: 500,
    tax: 0,
    total: 1500,
    shippingAddress: { name: "A", line1: "1 St", city: "X", postalCode: "1", country: "US" },
    payment: { brand: null, last4: "4242" },
    cartId: "crt_x",
    createdAt: Date.now(),
    parts: [
      {
        merchantId: "mer_a",
        subtotal: 1000,
        shipping: 500,
        shippingTax: 0,
        tax: 0,
        total: 1500,
        lines: [{ kind: "product", sku: "A-1", productSlug: "a", title: "A", quantity: 2, unitPrice: 500, lineTotal: 1000, tax: 0 }],
      },
    ],
  };
}

const status = async (id: string) => (await loadOrder(env.DB, id))?.view.status;
const outboxCount = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM outbox").first<{ n: number }>())?.n ?? 0;

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

  it("moves along the table with its event in one transaction, and refuses (and logs) any other move", async () => {
    const id = `ord_${crypto.randomUUID().slice(0, 8)}`;
    await insertOrder(env.DB, order(id), []);
    await insertOrder(env.DB, order(id), []); // a retried step writes nothing twice
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM order_lines WHERE order_id = ?").bind(id).first<{ n: number }>())?.n).toBe(1);
    const before = await outboxCount();

    const failed = await moveOrder(env.DB, log, id, "payment_failed", "declined", [
      outboxRow(EVENT_TYPES.orderPaymentFailed, { orderId: id, reason: "declined" }, undefined, `${id}:payment_failed`),
    ]);
    expect(failed).toMatchObject({ ok: true, repeated: false });
    expect(await status(id)).toBe("payment_failed");
    expect(await outboxCount()).toBe(before + 1);

    warnings.length = 0;
    const paid = await moveOrder(env.DB, log, id, "paid", "late capture", [
      outboxRow(EVENT_TYPES.orderCancelled, { orderId: id, reason: "x" }, undefined, `${id}:bogus`),
    ]);
    expect(paid).toEqual({ ok: false, from: "payment_failed" });
    expect(await status(id)).toBe("payment_failed");
    expect(await outboxCount()).toBe(before + 1); // the refused move queued nothing
    expect(warnings).toHaveLength(1);

    // Asking again for the status it has is a harmless repeat.
    expect(await moveOrder(env.DB, log, id, "payment_failed", "retry")).toMatchObject({ ok: true, repeated: true });
  });

  it("of two concurrent moves from one status, one wins", async () => {
    const id = `ord_${crypto.randomUUID().slice(0, 8)}`;
    await insertOrder(env.DB, order(id), []);
    const [a, b] = await Promise.all([moveOrder(env.DB, log, id, "paid", "captured"), moveOrder(env.DB, log, id, "cancelled", "shopper")]);
    const moved = [a, b].filter((r) => r.ok);
    expect(moved).toHaveLength(1);
    const history = await env.DB.prepare("SELECT to_status FROM order_transitions WHERE order_id = ? ORDER BY at")
      .bind(id)
      .all<{ to_status: string }>();
    expect(history.results.map((r) => r.to_status)).toEqual(["pending_payment", await status(id)]);
  });
});
