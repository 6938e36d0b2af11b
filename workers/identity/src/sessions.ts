import { and, eq } from "drizzle-orm";
import type { Session, User } from "#schema/identity/dto.ts";
import { randomToken, sha256Hex } from "#shared/crypto.ts";
import type { D1Db } from "#shared/d1.ts";
import * as tables from "../db/tables.ts";
import { signAccessToken, type TokenSettings } from "./keys.ts";

export type IdentityDb = D1Db;
const { refreshTokens, users } = tables;

export type SessionSettings = TokenSettings & { refreshTtlSeconds: number };
// What a session needs of an account (a row without the invitation columns will do).
type UserRow = Pick<typeof users.$inferSelect, "id" | "email" | "name" | "role" | "merchantId" | "createdAt">;

export const toUser = (u: UserRow): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  merchantId: u.merchantId,
  createdAt: new Date(u.createdAt).toISOString(),
});

/** A new access token plus a refresh token in `familyId` (a new family for a fresh sign-in). */
export async function issueSession(
  db: IdentityDb,
  settings: SessionSettings,
  user: UserRow,
  familyId = crypto.randomUUID(),
): Promise<Session> {
  const refreshToken = `rt_${randomToken(32)}`;
  const now = Date.now();
  await db.insert(refreshTokens).values({
    id: crypto.randomUUID(),
    userId: user.id,
    familyId,
    tokenHash: await sha256Hex(refreshToken),
    status: "active",
    createdAt: now,
    expiresAt: now + settings.refreshTtlSeconds * 1000,
  });
  const accessToken = await signAccessToken(settings, { sub: user.id, role: user.role, merchantId: user.merchantId });
  return { accessToken, refreshToken, expiresIn: settings.ttlSeconds, user: toUser(user) };
}

export type Rotation = { ok: true; session: Session } | { ok: false; reason: "unknown" | "expired" | "reused" };

/**
 * Trades a refresh token for a new session in the same family. The old token is marked rotated by a
 * conditional update, so of two concurrent uses exactly one wins; presenting a rotated or revoked token
 * again revokes the whole family.
 */
export async function rotate(db: IdentityDb, settings: SessionSettings, presented: string): Promise<Rotation> {
  const hash = await sha256Hex(presented);
  const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash)).limit(1);
  if (row === undefined) return { ok: false, reason: "unknown" };
  if (row.status !== "active" || (await familyRevoked(db, row.familyId))) {
    await revokeFamily(db, row.familyId);
    return { ok: false, reason: "reused" };
  }
  if (row.expiresAt <= Date.now()) return { ok: false, reason: "expired" };
  const won = await db
    .update(refreshTokens)
    .set({ status: "rotated" })
    .where(and(eq(refreshTokens.id, row.id), eq(refreshTokens.status, "active")))
    .returning({ id: refreshTokens.id });
  if (won.length === 0) {
    await revokeFamily(db, row.familyId);
    return { ok: false, reason: "reused" };
  }
  const [user] = await db.select().from(users).where(eq(users.id, row.userId)).limit(1);
  if (user === undefined || user.erasedAt !== null) return { ok: false, reason: "unknown" };
  return { ok: true, session: await issueSession(db, settings, user, row.familyId) };
}

// Revocation sticks to the family: a token issued into it after the revoke (a concurrent rotation that
// won the race) still finds a revoked sibling and is refused.
async function familyRevoked(db: IdentityDb, familyId: string): Promise<boolean> {
  const [hit] = await db
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.familyId, familyId), eq(refreshTokens.status, "revoked")))
    .limit(1);
  return hit !== undefined;
}

export async function revokeFamily(db: IdentityDb, familyId: string): Promise<void> {
  await db.update(refreshTokens).set({ status: "revoked" }).where(eq(refreshTokens.familyId, familyId));
}

/** Ends the session a refresh token belongs to (its whole family). Unknown tokens are simply ignored. */
export async function logout(db: IdentityDb, presented: string): Promise<void> {
  const [row] = await db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, await sha256Hex(presented)))
    .limit(1);
  if (row !== undefined) await revokeFamily(db, row.familyId);
}
