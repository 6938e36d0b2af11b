import { z } from "zod";
import { Money } from "#schema/money.ts";
import { IdempotencyKey } from "#schema/payments.ts";

// RPC arguments come from other Workers: parsed like any other input at a boundary.
export const PaymentId = z.string().min(1).max(100);
export const OperationArgs = z.object({ paymentId: PaymentId, idempotencyKey: IdempotencyKey });
export const RefundArgs = OperationArgs.extend({
  amount: Money.refine((m) => m.amount > 0, { message: "a refund must be more than zero", path: ["amount"] }),
});
