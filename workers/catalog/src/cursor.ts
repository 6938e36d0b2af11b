import { z } from "zod";
import type { ProductSort } from "../../../schema/catalog/dto.ts";

// A page cursor is the last row's sort key, bound to the query that made it and signed, so a forged,
// truncated or borrowed cursor is a 400, never a wrong page or a 500.
const CursorPayload = z.object({
  v: z.literal(1),
  s: z.enum(["newest", "price_asc", "price_desc"]),
  f: z.string(),
  k: z.tuple([z.number().int(), z.string().min(1)]),
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

const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

const SIG_BYTES = 16;

/** The filter part of a query, which a cursor must be used with. */
export const filterKey = (category: string | undefined, q: string | undefined): string => `${category ?? ""}\u0000${q ?? ""}`;

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
    return { ok: false, reason: "is not a cursor this API issued; pass nextCursor from the previous page" };
  }
  const full = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), body));
  if (!timingSafeEqual(full.slice(0, SIG_BYTES), sig)) {
    return { ok: false, reason: "is not a cursor this API issued; pass nextCursor from the previous page" };
  }
  let parsed: CursorPayload;
  try {
    parsed = CursorPayload.parse(JSON.parse(new TextDecoder().decode(body)));
  } catch {
    return { ok: false, reason: "is not a cursor this API issued; pass nextCursor from the previous page" };
  }
  if (parsed.s !== expected.sort || parsed.f !== expected.filter) {
    return { ok: false, reason: "belongs to a different query; keep sort, category and q the same while paging" };
  }
  return { ok: true, key: parsed.k };
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
