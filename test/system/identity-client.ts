import { readFileSync } from "node:fs";
import { importJWK, type JWK, SignJWT } from "jose";
import type { Platform } from "../../scripts/platform.ts";

export type Reply = { status: number; type: string | null; headers: Headers; body: Record<string, unknown> };

export type CallOptions = { token?: string; body?: unknown; ip?: string; headers?: Record<string, string> };

let clients = 0;
/** Each call comes from an address of its own unless the test names one: per-client limits are tested apart. */
const anotherClient = (): string => {
  clients++;
  return `198.18.${Math.floor(clients / 250) % 250}.${clients % 250}`;
};

/** One JSON call as a client at `options.ip` (a fresh address when not given). */
export async function call(base: URL, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { "cf-connecting-ip": options.ip ?? anotherClient(), ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(new URL(path, base), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export function api(platform: Platform) {
  const shop = (method: string, path: string, options?: CallOptions) => call(platform.url, method, path, options);
  const admin = (method: string, path: string, options?: CallOptions) => call(platform.adminUrl, method, path, options);
  return {
    shop,
    admin,
    register: (email: string, password = "correct horse battery", name = "Test Shopper", ip?: string) =>
      shop("POST", "/v1/auth/register", { body: { email, password, name }, ...(ip ? { ip } : {}) }),
    login: (email: string, password: string, ip?: string) =>
      shop("POST", "/v1/auth/login", { body: { email, password }, ...(ip ? { ip } : {}) }),
  };
}

export const uniqueEmail = (tag: string): string => `${tag}-${crypto.randomUUID().slice(0, 8)}@example.com`;

/** The local signing keys `npm start` made (workers/identity/.dev.vars), for forging tokens in attack tests. */
export function devSigningKeys(): (JWK & { kid: string })[] {
  const vars = readFileSync("workers/identity/.dev.vars", "utf8");
  const match = /^JWT_SIGNING_KEYS='(.*)'$/m.exec(vars);
  if (match?.[1] === undefined) throw new Error("no JWT_SIGNING_KEYS in workers/identity/.dev.vars");
  return JSON.parse(match[1]) as (JWK & { kid: string })[];
}

export async function forge(
  key: JWK & { kid: string },
  claims: { sub: string; role: string; iss?: string; aud?: string; exp?: number; iat?: number; typ?: string },
  omit: ("sub" | "iat" | "exp")[] = [],
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: claims.typ ?? "at+jwt" })
    .setIssuer(claims.iss ?? "https://identity.edge-commerce.dev")
    .setAudience(claims.aud ?? "edge-commerce");
  if (!omit.includes("sub")) jwt.setSubject(claims.sub);
  if (!omit.includes("iat")) jwt.setIssuedAt(claims.iat ?? now);
  if (!omit.includes("exp")) jwt.setExpirationTime(claims.exp ?? now + 600);
  return jwt.sign(await importJWK(key, "ES256"));
}
