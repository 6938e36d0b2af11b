import type { CallContext } from "#shared/request-id.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import type { FulfillmentDb } from "./db.ts";
import { loadPaidOrder } from "./paid-orders.ts";
import { findReturn, moveReturn, type ReturnRow, returnViews } from "./returns.ts";

export type ReceiveDeps = {
  db: FulfillmentDb;
  inventory: FulfillmentEnv["INVENTORY"];
  payments: FulfillmentEnv["PAYMENTS"];
  call: CallContext;
};

/**
 * The merchant has the returned items: received → stock back → money back. Every step is keyed by the return
 * (restock op `<return>:<sku>`, refund key `<return>:refund`), so receiving again after a failure (the provider
 * did not answer) finishes the job without a second restock or refund. The return ends `refunded`, and its
 * events (return.received, refund.completed) tell the order and the buyer.
 */
export async function receiveReturn(deps: ReceiveDeps, merchantId: string | null, returnId: string): Promise<Result<ReturnRow>> {
  const { db } = deps;
  const row = await findReturn(db, returnId, merchantId);
  if (row === null) return fail(404, `no return ${returnId}`);
  if (row.status === "refunded") return ok(row);
  if (row.status === "requested")
    return fail(409, `return ${returnId} is not approved yet: approve it first`, undefined, { status: row.status });
  const received = row.status === "approved" ? await moveReturn(db, row, "approved", "received", undefined, deps.call.requestId) : ok(row);
  if (!received.ok) return received;

  const order = await loadPaidOrder(db, row.orderId);
  const [view] = await returnViews(db, [row]);
  const products = new Set(order?.parts.flatMap((p) => p.lines.filter((l) => l.kind === "product").map((l) => l.sku)) ?? []);
  for (const item of view?.items ?? []) {
    if (!products.has(item.sku)) continue; // a warranty is money only
    const restocked = await deps.inventory
      .getByName(item.sku)
      .restock(`${returnId}:${item.sku}`, item.quantity, `return ${returnId}`, "return", { requestId: deps.call.requestId });
    if (!restocked.ok) return fail(502, `could not put SKU ${item.sku} back in stock; receive the return again to retry`);
  }

  const amount = { amount: row.refundAmount ?? 0, currency: row.currency };
  // The payment's id is the order's (payments keys everything of an order by it).
  const refund = await deps.payments.refund(row.orderId, `${returnId}:refund`, amount, deps.call);
  if (!refund.ok)
    return fail(502, `the refund was refused: ${refund.problem.detail ?? refund.problem.title}; receive the return again to retry`);
  if (refund.value.outcome !== "refunded") {
    return fail(502, `the refund did not go through (${refund.value.outcome}: ${refund.value.message}); receive the return again to retry`);
  }
  return moveReturn(db, received.value, "received", "refunded", refund.value.refundId, deps.call.requestId);
}
