// Integer money arithmetic shared by the pricing modules. Everything is exact: products are taken in BigInt, so
// neither float error (0.1 + 0.2, 1.005 * 100) nor 2^53 overflow in an intermediate can shift a cent.

/**
 * round(a × num / den), halves rounded up (away from zero, as every input here is non-negative).
 * Half-up is the rule shoppers and tax authorities expect on a receipt (HMRC, the EU VAT directive's member-state
 * rules, Japan's consumption tax all accept it); banker's rounding would make 0.5 ¢ go down on some lines and up
 * on others, which reads as an error on an invoice.
 */
export function mulDivHalfUp(a: number, num: number, den: number): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(num) || !Number.isSafeInteger(den) || a < 0 || num < 0 || den <= 0) {
    throw new RangeError(`mulDivHalfUp needs non-negative safe integers and a positive divisor (got ${a}, ${num}, ${den})`);
  }
  const n = BigInt(a) * BigInt(num);
  const d = BigInt(den);
  return toSafeNumber((2n * n + d) / (2n * d));
}

export function toSafeNumber(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${value} is beyond the safe integer range`);
  return n;
}

/**
 * Splits `total` into integer shares proportional to `weights` (largest-remainder method): each share is first
 * rounded down, then the units still missing go one each to the largest fractional remainders (earliest index on a
 * tie, so the split is deterministic). The shares always sum to `total` exactly, and each differs from its exact
 * proportional value by less than one minor unit — so a refund of one line's share is exactly what was charged
 * for it. All weights zero: everything goes to nobody, so `total` must then be 0.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`cannot allocate ${total}`);
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new RangeError("weights must be non-negative safe integers");
  const sum = weights.reduce((s, w) => s + BigInt(w), 0n);
  if (sum === 0n) {
    if (total !== 0) throw new RangeError(`cannot allocate ${total} over zero weights`);
    return weights.map(() => 0);
  }
  const t = BigInt(total);
  const floors = weights.map((w) => (t * BigInt(w)) / sum);
  const remainders = weights.map((w, i) => ({ i, rest: (t * BigInt(w)) % sum }));
  let missing = t - floors.reduce((s, f) => s + f, 0n);
  remainders.sort((x, y) => (x.rest === y.rest ? x.i - y.i : x.rest > y.rest ? -1 : 1));
  for (const { i } of remainders) {
    if (missing === 0n) break;
    floors[i] = (floors[i] ?? 0n) + 1n;
    missing--;
  }
  return floors.map(toSafeNumber);
}
