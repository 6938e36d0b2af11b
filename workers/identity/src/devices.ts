import { and, desc, eq, gt, notInArray } from "drizzle-orm";
import type { Session } from "#schema/identity/dto.ts";
import { randomToken, sha256Hex } from "#shared/crypto.ts";
import { knownDevices, users } from "../db/tables.ts";
import type { IdentityDb } from "./sessions.ts";

// Known devices, after OWASP's "device cookie" answer to lockout: a browser that has signed in to an account keeps
// a random token for it, and a later sign-in that presents it is not refused when strangers have spent the
// account's budget of failures (per-client and per-device limits still apply). Only the token's SHA-256 is kept.

/** Devices kept per account, the most recently used first: an API client that never sends one back cannot pile them up. */
const DEVICES_PER_ACCOUNT = 20;

export type KnownDevice = { id: string; token: string };

/** The device a presented token names, when it is this account's (by email key) and not expired; else null. */
export async function knownDevice(db: IdentityDb, presented: string | undefined, accountKey: string): Promise<KnownDevice | null> {
  if (presented === undefined || !presented.startsWith("dv_")) return null;
  const [row] = await db
    .select({ id: knownDevices.id })
    .from(knownDevices)
    .innerJoin(users, eq(users.id, knownDevices.userId))
    .where(
      and(eq(knownDevices.tokenHash, await sha256Hex(presented)), eq(users.emailKey, accountKey), gt(knownDevices.expiresAt, Date.now())),
    )
    .limit(1);
  return row === undefined ? null : { id: row.id, token: presented };
}

/**
 * A signed-in session with its device token: the known device's own (its lifetime starts again), or a new one.
 * Beyond DEVICES_PER_ACCOUNT the least recently used are forgotten.
 */
export async function withDeviceToken(
  db: IdentityDb,
  ttlSeconds: number,
  userId: string,
  device: KnownDevice | null,
  session: Session,
): Promise<Session> {
  const now = Date.now();
  const expiresAt = now + ttlSeconds * 1000;
  if (device !== null) {
    await db.update(knownDevices).set({ lastUsedAt: now, expiresAt }).where(eq(knownDevices.id, device.id));
    return { ...session, deviceToken: device.token };
  }
  const token = `dv_${randomToken(32)}`;
  await db
    .insert(knownDevices)
    .values({ id: crypto.randomUUID(), userId, tokenHash: await sha256Hex(token), createdAt: now, lastUsedAt: now, expiresAt });
  const keep = db
    .select({ id: knownDevices.id })
    .from(knownDevices)
    .where(eq(knownDevices.userId, userId))
    .orderBy(desc(knownDevices.lastUsedAt))
    .limit(DEVICES_PER_ACCOUNT);
  await db.delete(knownDevices).where(and(eq(knownDevices.userId, userId), notInArray(knownDevices.id, keep)));
  return { ...session, deviceToken: token };
}

/** What the GDPR export lists of an account's devices (never the token or its hash). */
export async function devicesOf(db: IdentityDb, userId: string) {
  const rows = await db
    .select({ createdAt: knownDevices.createdAt, lastUsedAt: knownDevices.lastUsedAt, expiresAt: knownDevices.expiresAt })
    .from(knownDevices)
    .where(eq(knownDevices.userId, userId))
    .orderBy(desc(knownDevices.lastUsedAt));
  return rows.map((d) => ({
    createdAt: new Date(d.createdAt).toISOString(),
    lastUsedAt: new Date(d.lastUsedAt).toISOString(),
    expiresAt: new Date(d.expiresAt).toISOString(),
  }));
}

/** Every device of the account (for an erase: the statement joins its batch). */
export const forgetDevices = (db: IdentityDb, userId: string) => db.delete(knownDevices).where(eq(knownDevices.userId, userId));
