import { and, asc, eq, isNull } from "drizzle-orm";
import type { Session } from "#schema/identity/dto.ts";
import { passwordProblem } from "#schema/identity/dto.ts";
import {
  AcceptInviteBody,
  type Invitation,
  InviteBody,
  type Member,
  MerchantBody,
  type NewMerchant,
  RoleBody,
  type Standing,
} from "#schema/identity/staff-dto.ts";
import { sha256Hex, toBase64Url } from "#shared/crypto.ts";
import { parseInput } from "#shared/parse.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { organizations, refreshTokens, users } from "../db/tables.ts";
import { emailKey } from "./accounts.ts";
import { type IdentityConfig, sessionSettings } from "./config.ts";
import { withDeviceToken } from "./devices.ts";
import { hashPassword } from "./passwords.ts";
import { type IdentityDb, issueSession } from "./sessions.ts";

// A merchant's people: owners invite and remove members and set their role; staff work the shop but cannot.
// Which merchant is always the caller's own (the admin Worker passes it from the verified token).

const INVITE_TTL_MS = 7 * 86_400_000;
// No password matches this (it is no `pbkdf2-sha256$…` hash), so an invited account cannot sign in yet.
const NO_PASSWORD = "!invited";

type UserRow = typeof users.$inferSelect;
const member = (u: UserRow): Member => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role === "merchant_owner" ? "merchant_owner" : "merchant_staff",
  status: u.inviteTokenHash === null ? "active" : "invited",
  createdAt: new Date(u.createdAt).toISOString(),
});

async function invite(db: IdentityDb, merchantId: string, email: string, role: Member["role"]): Promise<Result<Invitation>> {
  const key = emailKey(email);
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.emailKey, key)).limit(1);
  // One account is one person in one role: a shopper's account is not turned into a merchant's silently.
  if (taken !== undefined) return fail(409, "this email has an account already; invite another address", "email");
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const now = Date.now();
  const row: UserRow = {
    id: `usr_${crypto.randomUUID().replaceAll("-", "")}`,
    emailKey: key,
    email: email.trim(),
    name: null,
    role,
    merchantId,
    passwordHash: NO_PASSWORD,
    createdAt: now,
    updatedAt: now,
    erasedAt: null,
    inviteTokenHash: await sha256Hex(token),
    inviteExpiresAt: now + INVITE_TTL_MS,
  };
  try {
    await db.insert(users).values(row);
  } catch (err) {
    if (String(err).includes("UNIQUE")) return fail(409, "this email has an account already; invite another address", "email");
    throw err;
  }
  return ok({ ...member(row), inviteToken: token, expiresAt: new Date(now + INVITE_TTL_MS).toISOString() });
}

export async function inviteMember(db: IdentityDb, merchantId: string, body: unknown): Promise<Result<Invitation>> {
  const parsed = parseInput(InviteBody, body);
  if (!parsed.ok) return parsed;
  return invite(db, merchantId, parsed.value.email, parsed.value.role);
}

export async function listMembers(db: IdentityDb, merchantId: string): Promise<Result<{ items: Member[] }>> {
  const rows = await db
    .select()
    .from(users)
    .where(and(eq(users.merchantId, merchantId), isNull(users.erasedAt)))
    .orderBy(asc(users.createdAt));
  return ok({ items: rows.filter((u) => u.role === "merchant_owner" || u.role === "merchant_staff").map(member) });
}

async function memberOf(db: IdentityDb, merchantId: string, userId: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), eq(users.merchantId, merchantId), isNull(users.erasedAt)))
    .limit(1);
  return row;
}

async function ownerCount(db: IdentityDb, merchantId: string): Promise<number> {
  return db.$count(
    users,
    and(eq(users.merchantId, merchantId), eq(users.role, "merchant_owner"), isNull(users.erasedAt), isNull(users.inviteTokenHash)),
  );
}

const lastOwner = () => fail<never>(409, "a merchant keeps at least one active owner: make someone else owner first");

export async function setRole(db: IdentityDb, merchantId: string, userId: string, body: unknown): Promise<Result<Member>> {
  const parsed = parseInput(RoleBody, body);
  if (!parsed.ok) return parsed;
  const row = await memberOf(db, merchantId, userId);
  if (row === undefined) return fail(404, `no member ${userId}`);
  if (row.role === "merchant_owner" && parsed.value.role !== "merchant_owner" && (await ownerCount(db, merchantId)) <= 1)
    return lastOwner();
  await db.update(users).set({ role: parsed.value.role, updatedAt: Date.now() }).where(eq(users.id, userId));
  // Tokens that still say the old role are refused at their next admin request (see standing); the member's
  // sessions refresh into the new one.
  return ok(member({ ...row, role: parsed.value.role }));
}

/**
 * An account's role and merchant as they are now (one primary-key read). The admin Worker asks on every request
 * made with an access token, so a member removed or demoted loses the old rights at once, not at token expiry.
 */
export async function standing(db: IdentityDb, userId: string): Promise<Result<Standing>> {
  const [row] = await db
    .select({ role: users.role, merchantId: users.merchantId, erasedAt: users.erasedAt })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (row === undefined || row.erasedAt !== null) return fail(401, "this account no longer exists; the token is not valid any more");
  return ok({ role: row.role, merchantId: row.merchantId });
}

/**
 * Removes a member: an open invitation is deleted; an active member's account becomes a plain shopper account
 * (it is theirs) and every session of it ends, so a refresh cannot bring the merchant role back.
 */
export async function removeMember(db: IdentityDb, merchantId: string, userId: string): Promise<Result<null>> {
  const row = await memberOf(db, merchantId, userId);
  if (row === undefined) return fail(404, `no member ${userId}`);
  if (row.inviteTokenHash !== null) {
    await db.delete(users).where(eq(users.id, userId));
    return ok(null);
  }
  if (row.role === "merchant_owner" && (await ownerCount(db, merchantId)) <= 1) return lastOwner();
  await db.batch([
    db.update(users).set({ role: "shopper", merchantId: null, updatedAt: Date.now() }).where(eq(users.id, userId)),
    db.update(refreshTokens).set({ status: "revoked" }).where(eq(refreshTokens.userId, userId)),
  ]);
  return ok(null);
}

export async function acceptInvite(db: IdentityDb, config: IdentityConfig, body: unknown): Promise<Result<Session>> {
  const parsed = parseInput(AcceptInviteBody, body);
  if (!parsed.ok) return parsed;
  const { token, password, name } = parsed.value;
  const [row] = await db
    .select()
    .from(users)
    .where(eq(users.inviteTokenHash, await sha256Hex(token)))
    .limit(1);
  const invalid = fail<Session>(404, "this invitation is not valid (used, withdrawn or mistyped); ask the owner for a new one", "token");
  if (row === undefined || row.erasedAt !== null) return invalid;
  if ((row.inviteExpiresAt ?? 0) < Date.now()) return fail(410, "this invitation has expired; ask the owner for a new one", "token");
  const weak = passwordProblem(password, row.email);
  if (weak !== null) return fail(400, weak, "password");
  const accepted = {
    ...row,
    name,
    passwordHash: await hashPassword(password),
    inviteTokenHash: null,
    inviteExpiresAt: null,
    updatedAt: Date.now(),
  };
  // Guarded by the token hash: of two acceptances racing, one changes the row and the other finds it used.
  const done = await db
    .update(users)
    .set({ name, passwordHash: accepted.passwordHash, inviteTokenHash: null, inviteExpiresAt: null, updatedAt: accepted.updatedAt })
    .where(and(eq(users.id, row.id), eq(users.inviteTokenHash, row.inviteTokenHash ?? "")))
    .returning({ id: users.id });
  if (done.length === 0) return invalid;
  const session = await issueSession(db, sessionSettings(config), accepted);
  return ok(await withDeviceToken(db, config.DEVICE_TOKEN_TTL_SECONDS, accepted.id, null, session));
}

/** A merchant's name, as the dashboard shows it. */
export async function merchantName(db: IdentityDb, merchantId: string): Promise<Result<string>> {
  const [org] = await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, merchantId)).limit(1);
  return org === undefined ? fail(404, `no merchant ${merchantId}`) : ok(org.name);
}

/** A platform admin opens a new merchant: the organisation and its first owner's invitation. */
export async function createMerchant(db: IdentityDb, body: unknown): Promise<Result<NewMerchant>> {
  const parsed = parseInput(MerchantBody, body);
  if (!parsed.ok) return parsed;
  const [taken] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.emailKey, emailKey(parsed.value.ownerEmail)))
    .limit(1);
  if (taken !== undefined) return fail(409, "this email has an account already; name another owner address", "ownerEmail");
  const id = `mer_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await db.insert(organizations).values({ id, name: parsed.value.name, createdAt: Date.now() });
  const owner = await invite(db, id, parsed.value.ownerEmail, "merchant_owner");
  if (!owner.ok) {
    await db.delete(organizations).where(eq(organizations.id, id));
    return owner;
  }
  return ok({ id, name: parsed.value.name, owner: owner.value });
}
