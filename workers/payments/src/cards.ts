import type { CardSummary } from "#schema/payments.ts";

/** The card network from the number's leading digits (IIN ranges), as a receipt names it. */
export function cardBrand(number: string): string {
  const first4 = Number(number.slice(0, 4));
  if (number.startsWith("4")) return "visa";
  if (/^5[1-5]/.test(number) || (first4 >= 2221 && first4 <= 2720)) return "mastercard";
  if (/^3[47]/.test(number)) return "amex";
  if (/^(6011|64[4-9]|65)/.test(number)) return "discover";
  return "card";
}

/** All of a card we ever keep or show: the brand and the last four digits. */
export const cardSummary = (number: string): CardSummary => ({ brand: cardBrand(number), last4: number.slice(-4) });
