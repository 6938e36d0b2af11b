import { z } from "zod";
import type { ProductSort } from "#schema/catalog/dto.ts";
import { fromBase64Url, timingSafeEqual, toBase64Url } from "#shared/crypto.ts";

// A page cursor is the last row's sort key, bound to the query that made it and signed, so a forged,
// truncated or borrowed cursor is a 400, never a wrong page or a 500.
const CursorPayload = z.object({
  v: z.literal(1),
  s: z.enum(["newest", "price_asc", "price_desc", "relevance"]),
  f: z.string(),
  // A relevance key is a bm25 score (a float, exact through JSON); the others are integers.
  k: z.tuple([z.number(), z.string().min(1)]),
});
export type CursorPayload = z.infer<typeof CursorPayload>;
export type CursorKey = CursorPayload["k"];

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

const SIG_BYTES = 16;
const NOT_OURS = "is not a cursor this API issued; pass nextCursor from the previous page";

/** The filter part of a query, which a cursor must be used with (anything but the sort, page size and cursor). */
export const filterKey = (f: {
  category?: string | undefined;
  q?: string | undefined;
  inStock?: boolean | undefined;
  merchantId?: string | undefined;
  brand?: string[] | undefined;
  priceMin?: number | undefined;
  priceMax?: number | undefined;
  ratingMin?: number | undefined;
  attributes?: Record<string, string[]> | undefined;
}): string =>
  JSON.stringify([
    f.category ?? "",
    f.q ?? "",
    f.inStock === true,
    f.merchantId ?? "",
    [...(f.brand ?? [])].sort(),
    f.priceMin ?? null,
    f.priceMax ?? null,
    f.ratingMin ?? null,
    Object.entries(f.attributes ?? {})
      .map(([k, v]) => [k, [...v].sort()])
      .sort(),
  ]);

export async function encodeCursor(secret: string, payload: CursorPayload): Promise<string> {
  const body = encoder.encode(JSON.stringify(payload));
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), body)).slice(0, SIG_BYTES);
  return `${toBase64Url(body)}.${toBase64Url(sig)}`;
}

export type CursorCheck = { ok: true; key: CursorKey } | { ok: false; reason: string };

export async function decodeCursor(secret: string, cursor: string, expected: { sort: ProductSort; filter: string }): Promise<CursorCheck> {
  const [bodyText, sigText, extra] = cursor.split(".");
  const body = bodyText === undefined ? null : fromBase64Url(bodyText);
  const sig = sigText === undefined ? null : fromBase64Url(sigText);
  if (extra !== undefined || body === null || sig === null || sig.length !== SIG_BYTES) {
    return { ok: false, reason: NOT_OURS };
  }
  const full = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), body));
  if (!timingSafeEqual(full.slice(0, SIG_BYTES), sig)) {
    return { ok: false, reason: NOT_OURS };
  }
  let parsed: CursorPayload;
  try {
    parsed = CursorPayload.parse(JSON.parse(new TextDecoder().decode(body)));
  } catch {
    return { ok: false, reason: NOT_OURS };
  }
  if (parsed.s !== expected.sort || parsed.f !== expected.filter) {
    return { ok: false, reason: "belongs to a different query; keep sort, category, q and inStock the same while paging" };
  }
  return { ok: true, key: parsed.k };
}
