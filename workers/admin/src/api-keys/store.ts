import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import {
  ApiKeyBody,
  type ApiKeyScope,
  type ApiKeyView,
  type CreatedApiKey,
  MAX_KEYS_PER_MERCHANT,
} from "#schema/operations/api-key-dto.ts";
import { configFrom } from "#shared/config.ts";
import { hmacSha256Hex, sha256Hex, timingSafeEqualText, toBase64Url } from "#shared/crypto.ts";
import { parseInput } from "#shared/parse.ts";
import type { CallContext } from "#shared/request-id.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { apiKeys } from "../../db/tables.ts";
import { adminDb } from "../db.ts";
import type { KeyUse } from "./meter.ts";

// A key reads `ek_<id>_<tag>_<secret>`: the id names its meter object, the tag (96 bits of an HMAC of the id under
// API_KEY_TAG_SECRET) proves this Worker issued the id, and the secret (256 random bits) proves the key. A key
// whose tag does not hold is refused before any meter is touched: a stranger cannot make objects by guessing.
const KEY_PATTERN = /^ek_([a-f0-9]{16})_([a-f0-9]{24})_([A-Za-z0-9_-]{43})$/;
export const looksLikeApiKey = (token: string): boolean => token.startsWith("ek_");

const tagSecret = configFrom(
  z
    .object({
      API_KEY_TAG_SECRET: z
        .string()
        .min(16, "API_KEY_TAG_SECRET must be at least 16 characters (set it with `wrangler secret put`: README, Deploy)"),
    })
    .transform((v) => v.API_KEY_TAG_SECRET),
);
const tagOf = async (env: AdminEnv, id: string): Promise<string> => (await hmacSha256Hex(tagSecret(env), `api-key:${id}`)).slice(0, 24);

const meter = (env: AdminEnv, id: string) => env.API_KEY_METER.getByName(id);
const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

export async function createKey(env: AdminEnv, merchantId: string, createdBy: string, body: unknown): Promise<Result<CreatedApiKey>> {
  const parsed = parseInput(ApiKeyBody, body);
  if (!parsed.ok) return parsed;
  const db = adminDb(env.DB);
  const live = await db.$count(apiKeys, and(eq(apiKeys.merchantId, merchantId), isNull(apiKeys.revokedAt)));
  if (live >= MAX_KEYS_PER_MERCHANT) return fail(409, `a merchant has at most ${MAX_KEYS_PER_MERCHANT} live keys; revoke one first`);

  const id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
  const secret = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const key = `ek_${id}_${await tagOf(env, id)}_${secret}`;
  const { name, scope, quotaPerMinute } = parsed.value;
  // The meter first: if listing the key fails after it, the key exists nowhere its caller was told about.
  await meter(env, id).init({ secretHash: await sha256Hex(secret), merchantId, scope, quotaPerMinute });
  const createdAt = Date.now();
  await db.insert(apiKeys).values({ id, merchantId, name, scope, prefix: key.slice(0, 10), quotaPerMinute, createdBy, createdAt });
  return ok({ id, key, name, scope, prefix: key.slice(0, 10), quotaPerMinute, createdAt: new Date(createdAt).toISOString() });
}

export async function listKeys(env: AdminEnv, merchantId: string): Promise<ApiKeyView[]> {
  const rows = await adminDb(env.DB).select().from(apiKeys).where(eq(apiKeys.merchantId, merchantId)).orderBy(desc(apiKeys.createdAt));
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
  const db = adminDb(env.DB);
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
export async function useKey(env: AdminEnv, token: string, needs: ApiKeyScope, call?: CallContext): Promise<KeyUse & { keyId?: string }> {
  const [, id, tag, secret] = KEY_PATTERN.exec(token) ?? [];
  if (id === undefined || tag === undefined || secret === undefined) return { ok: false, reason: "unknown" };
  if (!timingSafeEqualText(tag, await tagOf(env, id))) return { ok: false, reason: "unknown" };
  const use = await meter(env, id).use(await sha256Hex(secret), needs, call);
  return { ...use, keyId: id };
}
