import type { CallContext } from "#shared/request-id.ts";
import type { OrdersDb } from "../db.ts";
import { writeOrder } from "../order-store.ts";
import type { CartPort, OrderBook, PaymentsPort, StockPort } from "./flow.ts";
import { holdIdFor, sellAll } from "./inventory-client.ts";

// The real services behind the checkout flow's ports: the orders D1 database, the cart's object, the SKUs'
// Inventory objects and the payments Worker, typed by the bindings in the orders Worker's Env (wrangler types).

export function orderBook(db: OrdersDb): OrderBook {
  return { write: (order, placement, events) => writeOrder(db, order, placement, events) };
}

export function cartPort(cart: ReturnType<OrdersEnv["CART"]["getByName"]>, call: CallContext): CartPort {
  return {
    checkoutLines: (access, holdTtlMs, cartCall) => cart.checkoutLines(access, holdTtlMs, cartCall),
    completeCheckout: (orderId, taken) => cart.completeCheckout(orderId, taken, call),
  };
}

/** Every Inventory call carries the checkout's request id (`call`), so the objects log under it. */
export function stockPort(inventory: OrdersEnv["INVENTORY"], call: CallContext): StockPort {
  return {
    sellAll: async (lines, options) => {
      const sold = await sellAll(inventory, lines, { ...options, call });
      return sold.ok ? { ok: true } : sold;
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

export function paymentsPort(payments: OrdersEnv["PAYMENTS"]): PaymentsPort {
  return {
    charge: (req, captureKey, call) => payments.charge(req, captureKey, call),
    getPayment: (paymentId, call) => payments.getPayment(paymentId, call),
    voidPayment: (paymentId, key, call) => payments.voidPayment(paymentId, key, call),
    capture: (paymentId, key, call) => payments.capture(paymentId, key, call),
  };
}
