import type { Cart } from "../../../../durable-objects/src/cart/cart.ts";
import { holdAll, holdIdFor } from "../../../../durable-objects/src/inventory/hold-all.ts";
import type { Inventory } from "../../../../durable-objects/src/inventory/inventory.ts";
import type { PaymentsService } from "../../../payments/src/index.ts";
import type { Logger } from "../../../shared/src/logger.ts";
import type { CallContext } from "../../../shared/src/request-id.ts";
import { moveOrder } from "../order-status.ts";
import { insertOrder, loadOrder, setPaymentSummary } from "../order-store.ts";
import type { CartPort, OrderBook, PaymentsPort, StockPort } from "./flow.ts";

// The real services behind the checkout flow's ports: the orders D1 database, the cart's object, the SKUs'
// Inventory objects and the payments Worker.

export function orderBook(db: D1Database, log: Logger): OrderBook {
  return {
    insert: (order, events) => insertOrder(db, order, events),
    move: (orderId, to, reason, events) => moveOrder(db, log, orderId, to, reason, events),
    setPaymentSummary: (orderId, payment) => setPaymentSummary(db, orderId, payment),
    view: async (orderId) => (await loadOrder(db, orderId))?.view ?? null,
  };
}

export function cartPort(cart: DurableObjectStub<Cart>, call: CallContext): CartPort {
  return {
    checkoutLines: (access, holdTtlMs, cartCall) => cart.checkoutLines(access, holdTtlMs, cartCall),
    completeCheckout: (orderId, taken) => cart.completeCheckout(orderId, taken, call),
  };
}

/** Every Inventory call carries the checkout's request id (`call`), so the objects log under it. */
export function stockPort(inventory: DurableObjectNamespace<Inventory>, call: CallContext): StockPort {
  return {
    holdAll: async (lines, options) => {
      const held = await holdAll(inventory, lines, { ...options, call });
      return held.ok ? { ok: true, holds: held.holds.map((h) => ({ sku: h.sku, quantity: h.quantity, holdId: h.holdId })) } : held;
    },
    holdIdFor,
    commit: async (sku, holdId) => {
      const result = await inventory.getByName(sku).commit(holdId, call);
      return result.ok;
    },
    undo: async (sku, holdId, releaseActive) => {
      await inventory.getByName(sku).undo(holdId, releaseActive, call);
    },
  };
}

export function paymentsPort(payments: Service<PaymentsService>): PaymentsPort {
  return {
    authorize: (req, call) => payments.authorize(req, call),
    getPayment: (paymentId, call) => payments.getPayment(paymentId, call),
    voidPayment: (paymentId, key, call) => payments.voidPayment(paymentId, key, call),
    capture: (paymentId, key, call) => payments.capture(paymentId, key, call),
  };
}
