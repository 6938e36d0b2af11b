// Small WebCrypto helpers every Worker uses the same way.
const encoder = new TextEncoder();

export async function sha256Hex(input: string | Uint8Array): Promise<string> {
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares in time that depends only on the length, so a guess learns nothing from how fast it fails. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export const timingSafeEqualText = (a: string, b: string): boolean => timingSafeEqual(encoder.encode(a), encoder.encode(b));

export function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** A random, URL-safe secret of `bytes` bytes of entropy. */
export const randomToken = (bytes = 32): string => toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The parts of a `t=<unix seconds>,v1=<hex>` signature header, or why it is not one. Costs no key and no hash,
 * so an edge can refuse a delivery without a signature before reading its body.
 */
export function timestampedSignatureParts(header: string | undefined): { timestamp: string; signatures: string[] } | string {
  if (header === undefined || header === "") return "the signature header is missing";
  const parts = header.split(",").map((p) => p.trim().split("="));
  const timestamp = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k, v]) => k === "v1" && v !== undefined).map(([, v]) => v ?? "");
  if (timestamp === undefined || !/^\d+$/.test(timestamp) || signatures.length === 0)
    return "the signature header has no timestamp or v1 signature";
  return { timestamp, signatures };
}

/**
 * Checks a `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` signature header (Stripe's scheme, which the
 * carrier webhook uses too). The age is checked after the signature, which covers the timestamp, so an old
 * delivery replayed is refused however it is dressed. Answers why not, or null when it holds.
 */
export async function timestampedSignatureProblem(
  header: string | undefined,
  rawBody: string,
  secret: string,
  nowMs: number,
  toleranceSeconds: number,
): Promise<string | null> {
  const parts = timestampedSignatureParts(header);
  if (typeof parts === "string") return parts;
  const { timestamp, signatures } = parts;
  const expected = await hmacSha256Hex(secret, `${timestamp}.${rawBody}`);
  if (!signatures.some((s) => timingSafeEqualText(s, expected))) return "the signature does not match";
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds)
    return `the signature is older than ${Math.round(toleranceSeconds / 60)} minutes`;
  return null;
}
