import type { Money } from "#schema/money.ts";
import { mulDivHalfUp, toSafeNumber } from "./money-math.ts";
import { WARRANTY_DEPARTMENTS, WARRANTY_PLANS, type WarrantyPlan } from "./rules.ts";
import type { PricedLine } from "./totals.ts";

export type WarrantyOffer = { sku: string; planId: string; years: number; price: Money };

/** The plans that can cover one cart line: its department is covered and each unit costs at least the plan's minimum. */
export function eligiblePlans(
  line: Pick<PricedLine, "department" | "unitPrice">,
  plans: readonly WarrantyPlan[] = WARRANTY_PLANS,
  departments: readonly string[] = WARRANTY_DEPARTMENTS,
): WarrantyPlan[] {
  if (!departments.includes(line.department)) return [];
  return plans.filter((plan) => line.unitPrice.amount >= plan.minUnitPrice);
}

/**
 * The plan's price for ONE covered unit: round(unitPrice × rate), half-up. The line price is this times the
 * quantity (not the product rounded once) so a warranty line keeps lineTotal = unitPrice × quantity like every
 * other order line, and returning k of n units refunds exactly k unit prices.
 */
export function warrantyUnitPrice(unitPrice: Money, plan: WarrantyPlan): Money {
  return { amount: mulDivHalfUp(unitPrice.amount, plan.rateBps, 10_000), currency: unitPrice.currency };
}

/** Every plan the shopper may add at checkout, per line in cart order, each priced for the line's whole quantity. */
export function warrantyOffers(
  lines: readonly PricedLine[],
  plans: readonly WarrantyPlan[] = WARRANTY_PLANS,
  departments: readonly string[] = WARRANTY_DEPARTMENTS,
): WarrantyOffer[] {
  return lines.flatMap((line) =>
    eligiblePlans(line, plans, departments).map((plan) => {
      const unit = warrantyUnitPrice(line.unitPrice, plan);
      return {
        sku: line.sku,
        planId: plan.planId,
        years: plan.years,
        price: { amount: toSafeNumber(BigInt(unit.amount) * BigInt(line.quantity)), currency: unit.currency },
      };
    }),
  );
}
