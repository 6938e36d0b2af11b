/** A line of a paid order, as fulfilment keeps it (integer minor units). */
export type PaidLine = { kind: "product" | "warranty"; sku: string; quantity: number; lineTotal: number; tax: number };

/**
 * What returning `returning` units of a line refunds, when `before` units were returned already: the line's
 * price and tax share of those units. Shares are cumulative (`share(n)` = what the first n units are worth,
 * rounded down), so however a line is returned, in one go or unit by unit, the refunds add up to exactly
 * what was paid for it, never a cent more or less.
 */
export function refundShare(line: PaidLine, before: number, returning: number): number {
  const paid = line.lineTotal + line.tax;
  const share = (units: number) => Math.floor((paid * units) / line.quantity);
  return share(before + returning) - share(before);
}
