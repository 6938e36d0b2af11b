// Checkout pricing: pure functions of the cart, the destination and the shopper's choices (no I/O, no Env), so the
// quote and the order are computed by the same code and can be tested exhaustively.

export { type InstallmentPlan, installmentPlans, levelPayment } from "./installments.ts";
export { allocate, mulDivHalfUp } from "./money-math.ts";
export {
  COUNTRY_RULES,
  type CountryRule,
  CountryRule as CountryRuleSchema,
  countryRule,
  INSTALLMENTS,
  type InstallmentConfig,
  type ShippingFee,
  SUPPORTED_COUNTRIES,
  type SupportedCountry,
  WARRANTY_DEPARTMENTS,
  WARRANTY_PLANS,
  type WarrantyPlan,
} from "./rules.ts";
export {
  type OrderLine,
  type Part,
  PricedLine,
  type PricedOrder,
  type PricingResult,
  priceOrder,
  type WarrantyChoice,
} from "./totals.ts";
export { eligiblePlans, type WarrantyOffer, warrantyOffers, warrantyUnitPrice } from "./warranties.ts";
