import type { Money } from "#schema/money.ts";
import { mulDivHalfUp, toSafeNumber } from "./money-math.ts";
import { INSTALLMENTS, type InstallmentConfig } from "./rules.ts";

export type InstallmentPlan = {
  months: number;
  /** APR in percent for display, e.g. 9.99 (exactly aprBps / 100). */
  apr: number;
  /** The same APR in basis points: the value to store and compute with. */
  aprBps: number;
  /** The regular monthly payment (every payment but possibly the last). */
  monthly: Money;
  /** What the shopper pays in all: exactly the sum of `schedule`; equals the order total at 0 % APR. */
  total: Money;
  /** One payment per month; the last absorbs the rounding of the others. */
  schedule: Money[];
};

// A monthly rate is APR / 12, so with APR in basis points the monthly rate is aprBps / (12 × 10 000).
const MONTHLY_RATE_DENOMINATOR = 120_000;

/**
 * The installment plans offered for an order total, by number of months, ascending. Standard amortisation: a level
 * payment P = A·r / (1 − (1 + r)^−n), r = APR / 12, computed exactly in integers and rounded half-up; then the
 * schedule is played out month by month (interest on the remaining balance rounded half-up) and the last payment
 * settles whatever balance is left, so the schedule sums exactly to the plan total.
 *
 * A plan is left out when the order is below the currency's minimum total or its monthly payment would be below
 * the minimum payment (see INSTALLMENTS.minimums in rules.ts: small payments cost more to collect than they are
 * worth); a currency with no minimums configured gets no plans.
 */
export function installmentPlans(
  total: Money,
  aprBpsByMonths: Readonly<Record<string, number>> = INSTALLMENTS.aprBpsByMonths,
  minimums: InstallmentConfig["minimums"] = INSTALLMENTS.minimums,
): InstallmentPlan[] {
  const minimum = Object.hasOwn(minimums, total.currency) ? minimums[total.currency] : undefined;
  if (minimum === undefined || !Number.isSafeInteger(total.amount) || total.amount < minimum.total || total.amount <= 0) return [];
  const plans: InstallmentPlan[] = [];
  for (const [key, aprBps] of Object.entries(aprBpsByMonths)) {
    const months = Number(key);
    if (!Number.isSafeInteger(months) || months <= 0 || !Number.isSafeInteger(aprBps) || aprBps < 0) {
      throw new RangeError(`bad installment plan: ${key} months at ${aprBps} bps`);
    }
    const payments = schedule(total.amount, months, aprBps);
    const monthly = payments[0] ?? 0;
    // A schedule with an empty payment (a tiny total over many months) is no plan at all.
    if (monthly < minimum.monthly || payments.some((p) => p <= 0)) continue;
    plans.push({
      months,
      apr: aprBps / 100,
      aprBps,
      monthly: { amount: monthly, currency: total.currency },
      total: { amount: payments.reduce((s, p) => s + p, 0), currency: total.currency },
      schedule: payments.map((amount) => ({ amount, currency: total.currency })),
    });
  }
  return plans.sort((a, b) => a.months - b.months);
}

/** The level payment, rounded half-up: A·bps·(K + bps)^n / (K·((K + bps)^n − K^n)) with K = 120 000, in BigInt. */
export function levelPayment(amount: number, months: number, aprBps: number): number {
  if (aprBps === 0) return mulDivHalfUp(amount, 1, months);
  const k = BigInt(MONTHLY_RATE_DENOMINATOR);
  const growth = (k + BigInt(aprBps)) ** BigInt(months);
  const numerator = BigInt(amount) * BigInt(aprBps) * growth;
  const denominator = k * (growth - k ** BigInt(months));
  return toSafeNumber((2n * numerator + denominator) / (2n * denominator));
}

function schedule(amount: number, months: number, aprBps: number): number[] {
  const payment = levelPayment(amount, months, aprBps);
  const payments: number[] = [];
  let balance = amount;
  for (let month = 1; month < months; month++) {
    balance += mulDivHalfUp(Math.max(balance, 0), aprBps, MONTHLY_RATE_DENOMINATOR) - payment;
    payments.push(payment);
  }
  payments.push(balance + mulDivHalfUp(Math.max(balance, 0), aprBps, MONTHLY_RATE_DENOMINATOR));
  return payments;
}
