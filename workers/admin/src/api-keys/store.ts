import { and, desc, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import {
  ApiKeyBody,
  type ApiKeyScope,
  type ApiKeyView,
  type CreatedApiKey,
  MAX_KEYS_PER_MERCHANT,
} from "../../../../schema/operations/api-key-dto.ts";
import { apiKeys } from "../../../../schema/operations/tables.ts";
import { sha256Hex, toBase64Url } from "../../../shared/src/crypto.ts";
import { parseInput } from "../../../shared/src/parse.ts";
import { fail, ok, type Result } from "../../../shared/src/result.ts";
import type { KeyUse } from "./meter.ts";

// A key reads `ek_<id>_<secret>`: the id names its meter object, the secret (256 random bits) proves it.
const KEY_PATTERN = /^ek_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;
export const looksLikeApiKey = (token: string): boolean => token.startsWith("ek_");

const meter = (env: AdminEnv, id: string) => env.API_KEY_METER.getByName(id);
const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

export async function createKey(env: AdminEnv, merchantId: string, createdBy: string, body: unknown): Promise<Result<CreatedApiKey>> {
  const parsed = parseInput(ApiKeyBody, body);
  if (!parsed.ok) return parsed;
  const db = drizzle(env.DB);
  const live = await db.$count(apiKeys, and(eq(apiKeys.merchantId, merchantId), isNull(apiKeys.revokedAt)));
  if (live >= MAX_KEYS_PER_MERCHANT) return fail(409, `a merchant has at most ${MAX_KEYS_PER_MERCHANT} live keys; revoke one first`);

  const id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
  const secret = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const key = `ek_${id}_${secret}`;
  const { name, scope, quotaPerMinute } = parsed.value;
  // The meter first: if listing the key fails after it, the key exists nowhere its caller was told about.
  await meter(env, id).init({ secretHash: await sha256Hex(secret), merchantId, scope, quotaPerMinute });
  const createdAt = Date.now();
  await db.insert(apiKeys).values({ id, merchantId, name, scope, prefix: key.slice(0, 10), quotaPerMinute, createdBy, createdAt });
  return ok({ id, key, name, scope, prefix: key.slice(0, 10), quotaPerMinute, createdAt: new Date(createdAt).toISOString() });
}

export async function listKeys(env: AdminEnv, merchantId: string): Promise<ApiKeyView[]> {
  const rows = await drizzle(env.DB).select().from(apiKeys).where(eq(apiKeys.merchantId, merchantId)).orderBy(desc(apiKeys.createdAt));
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      name: r.name,
      scope: r.scope,
      prefix: r.prefix,
      quotaPerMinute: r.quotaPerMinute,
      createdAt: new Date(r.createdAt).toISOString(),
      revokedAt: iso(r.revokedAt),
      usage: await meter(env, r.id).usage(14),
    })),
  );
}

/** Revokes at once: the meter refuses the key from its next request on; the listing then says when. */
export async function revokeKey(env: AdminEnv, merchantId: string, id: string): Promise<Result<null>> {
  const db = drizzle(env.DB);
  const [row] = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.merchantId, merchantId)))
    .limit(1);
  if (row === undefined) return fail(404, `no API key ${id}`);
  const now = Date.now();
  await meter(env, id).revoke(now);
  await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
  return ok(null);
}

/** Checks a presented key, its scope and its quota, and counts the request: one call on the key's meter. */
export async function useKey(env: AdminEnv, token: string, needs: ApiKeyScope): Promise<KeyUse & { keyId?: string }> {
  const match = KEY_PATTERN.exec(token);
  if (match?.[1] === undefined || match[2] === undefined) return { ok: false, reason: "unknown" };
  const use = await meter(env, match[1]).use(await sha256Hex(match[2]), needs);
  return { ...use, keyId: match[1] };
}
