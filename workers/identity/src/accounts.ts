import { eq } from "drizzle-orm";
import { emitEvent } from "../../../schema/events.ts";
import { Email, LoginBody, passwordProblem, RegisterBody, type Session, type User } from "../../../schema/identity/dto.ts";
import { refreshTokens, users } from "../../../schema/identity/tables.ts";
import { fail, ok, type Result } from "../../shared/src/result.ts";
import { type IdentityConfig, sessionSettings } from "./config.ts";
import { decoyHash, hashPassword, verifyPassword } from "./passwords.ts";
import { type IdentityDb, issueSession, revokeFamily, toUser } from "./sessions.ts";
import type { LoginThrottle } from "./throttle.ts";

export const emailKey = (email: string): string => email.trim().toLowerCase();
const firstIssue = (error: { issues: { path: PropertyKey[]; message: string }[] }) => {
  const issue = error.issues[0];
  return { field: String(issue?.path[0] ?? "body"), message: issue?.message ?? "invalid" };
};

export async function register(db: IdentityDb, config: IdentityConfig, body: unknown): Promise<Result<Session>> {
  const parsed = RegisterBody.safeParse(body);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    return fail(400, message, field);
  }
  const { email, password, name } = parsed.data;
  const weak = passwordProblem(password, email);
  if (weak !== null) return fail(400, weak, "password");
  const key = emailKey(email);
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.emailKey, key)).limit(1);
  if (taken !== undefined) return fail(409, "an account with this email exists already; sign in instead", "email");

  const now = Date.now();
  const row = {
    id: `usr_${crypto.randomUUID().replaceAll("-", "")}`,
    emailKey: key,
    email: email.trim(),
    name,
    role: "shopper" as const,
    merchantId: null,
    passwordHash: await hashPassword(password),
    createdAt: now,
    updatedAt: now,
    erasedAt: null,
  };
  try {
    await db.insert(users).values(row);
  } catch (err) {
    // Two registrations racing for one email: the unique index decides, the loser gets the same 409.
    if (String(err).includes("UNIQUE")) return fail(409, "an account with this email exists already; sign in instead", "email");
    throw err;
  }
  return ok(await issueSession(db, sessionSettings(config), row));
}

type Throttles = { account: DurableObjectStub<LoginThrottle>; ip: DurableObjectStub<LoginThrottle> | null };

const WRONG = "the email or password is wrong";

/**
 * Signs in. A wrong password and an unknown email give the same answer after the same work (a decoy hash
 * is checked for unknown emails); failures are throttled per account and per client IP with a 429 and
 * Retry-After before any password is checked.
 */
export async function login(db: IdentityDb, config: IdentityConfig, body: unknown, throttles: Throttles): Promise<Result<Session>> {
  const parsed = LoginBody.safeParse(body);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    return fail(400, message, field);
  }
  const windowMs = config.LOGIN_WINDOW_SECONDS * 1000;
  for (const [throttle, max] of [
    [throttles.account, config.LOGIN_MAX_FAILURES_PER_ACCOUNT],
    [throttles.ip, config.LOGIN_MAX_FAILURES_PER_IP],
  ] as const) {
    if (throttle === null) continue;
    const check = await throttle.check(max, windowMs);
    if (!check.allowed) {
      return fail(429, `too many failed sign-ins; try again in ${check.retryAfterSeconds} s`, undefined, {
        retryAfter: check.retryAfterSeconds,
      });
    }
  }

  const email = Email.safeParse(parsed.data.email);
  const [user] = email.success
    ? await db
        .select()
        .from(users)
        .where(eq(users.emailKey, emailKey(email.data)))
        .limit(1)
    : [];
  const live = user !== undefined && user.erasedAt === null ? user : undefined;
  const verdict = await verifyPassword(parsed.data.password, live?.passwordHash ?? (await decoyHash()));
  if (live === undefined || !verdict.ok) {
    const keep = Math.max(config.LOGIN_MAX_FAILURES_PER_ACCOUNT, config.LOGIN_MAX_FAILURES_PER_IP);
    await Promise.all([throttles.account.recordFailure(windowMs, keep), throttles.ip?.recordFailure(windowMs, keep)]);
    return fail(401, WRONG);
  }
  await throttles.account.reset();
  if (verdict.needsRehash) {
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(parsed.data.password), updatedAt: Date.now() })
      .where(eq(users.id, live.id));
  }
  return ok(await issueSession(db, sessionSettings(config), live));
}

async function liveUser(db: IdentityDb, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return user !== undefined && user.erasedAt === null ? user : undefined;
}

const gone = <T>(): Result<T> => fail(401, "this account no longer exists; the token is not valid any more");

export async function me(db: IdentityDb, userId: string): Promise<Result<User>> {
  const user = await liveUser(db, userId);
  return user === undefined ? gone() : ok(toUser(user));
}

/**
 * GDPR erasure: personal data is removed (email, name, password) and the row is kept only as an anonymous
 * tombstone so references from orders stay valid; every session ends; other services are told by event.
 */
export async function erase(db: IdentityDb, userId: string, events: Queue): Promise<Result<null>> {
  const user = await liveUser(db, userId);
  if (user === undefined) return gone();
  const now = Date.now();
  const families = await db
    .selectDistinct({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.userId, userId));
  await db
    .update(users)
    .set({
      email: `erased-${user.id}@invalid`,
      emailKey: `erased-${user.id}@invalid`,
      name: null,
      passwordHash: "!",
      erasedAt: now,
      updatedAt: now,
    })
    .where(eq(users.id, userId));
  await Promise.all(families.map((f) => revokeFamily(db, f.familyId)));
  await emitEvent(events, "identity.user_erased", { userId });
  return ok(null);
}

export type IdentityExport = {
  exportedAt: string;
  user: User;
  sessions: { createdAt: string; expiresAt: string; status: string }[];
  note: string;
};

/** Everything identity holds about the user, as JSON (no secrets: hashes are not personal data to hand out). */
export async function exportData(db: IdentityDb, userId: string): Promise<Result<IdentityExport>> {
  const user = await liveUser(db, userId);
  if (user === undefined) return gone();
  const sessions = await db
    .select({ createdAt: refreshTokens.createdAt, expiresAt: refreshTokens.expiresAt, status: refreshTokens.status })
    .from(refreshTokens)
    .where(eq(refreshTokens.userId, userId));
  return ok({
    exportedAt: new Date().toISOString(),
    user: toUser(user),
    sessions: sessions.map((s) => ({
      createdAt: new Date(s.createdAt).toISOString(),
      expiresAt: new Date(s.expiresAt).toISOString(),
      status: s.status,
    })),
    note: "Carts are anonymous until sign-in carts land; orders join this export when checkout does.",
  });
}
