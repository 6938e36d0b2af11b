import type { Fetch } from "./provider.ts";

/** A provider's answer, or why there was none (which makes the operation `unavailable`). */
export type HttpAnswer = { ok: true; status: number; body: unknown } | { ok: false; message: string };

/**
 * One HTTP call to a provider with a deadline. A timeout or a network failure is an answer too (not an
 * exception): the caller records `unavailable`, and the retry goes out with the same idempotency key.
 */
export async function callProvider(fetcher: Fetch, url: string, init: RequestInit, timeoutMs: number): Promise<HttpAnswer> {
  try {
    const response = await fetcher(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return { ok: true, status: response.status, body: parseJson(text) };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return {
      ok: false,
      message: timedOut ? `no answer within ${timeoutMs} ms` : `network error: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** JSON or null: a provider's error page is not JSON, and that is an answer too. */
export function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** 429 and 5xx may succeed later with the same key; other failures are the provider's final word. */
export const retryable = (status: number): boolean => status === 429 || status >= 500;

/** Header names are case-insensitive; webhook deliveries are read with lower-cased names. */
export const lowerCaseKeys = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/** ISO 4217 minor-unit digits (2 for USD, 0 for JPY, 3 for KWD). */
function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Integer minor units to the decimal string PayPal wants ("12.34"), without a float in between. */
export function toDecimal(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const s = String(minor).padStart(digits + 1, "0");
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** A decimal string back to integer minor units; null when it is not a plain non-negative decimal. */
export function toMinor(value: string, currency: string): number | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (match === null) return null;
  const digits = currencyDigits(currency);
  const fraction = (match[2] ?? "").padEnd(digits, "0");
  if (fraction.length > digits) return null;
  return Number(`${match[1]}${fraction}`);
}
