import { fromBase64Url, timingSafeEqual, toBase64Url } from "#shared/crypto.ts";

// Cloudflare's Workers runtime refuses PBKDF2 above 100,000 iterations ("iteration counts above … are not
// supported"; local workerd has no cap), so that is the cost we pay. It is stored with each hash, so raising
// it later (or moving to a WASM argon2) re-hashes at the next successful sign-in.
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const encoder = new TextEncoder();

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations }, key, HASH_BITS),
  );
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(await derive(password, salt, iterations))}`;
}

export type Verification = { ok: boolean; needsRehash: boolean };

export async function verifyPassword(password: string, stored: string): Promise<Verification> {
  const [scheme, iterationsText, saltText, hashText] = stored.split("$");
  const iterations = Number(iterationsText);
  const salt = fromBase64Url(saltText ?? "");
  const expected = fromBase64Url(hashText ?? "");
  if (scheme !== "pbkdf2-sha256" || !Number.isInteger(iterations) || iterations < 1 || salt === null || expected === null) {
    return { ok: false, needsRehash: false };
  }
  const actual = await derive(password, salt, iterations);
  return { ok: timingSafeEqual(actual, expected), needsRehash: iterations < PBKDF2_ITERATIONS };
}

// Checked when the email is unknown, so that answer costs the same time as a wrong password.
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword("decoy password that matches nothing");
  return decoy;
}
