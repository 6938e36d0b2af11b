import { eq } from "drizzle-orm";
import { EVENT_TYPES } from "#schema/events.ts";
import { Email, LoginBody, passwordProblem, RegisterBody, type Session, type User } from "#schema/identity/dto.ts";
import { outboxRow } from "#shared/outbox.ts";
import { parseInput } from "#shared/parse.ts";
import type { CallContext } from "#shared/request-id.ts";
import { fail, ok, type Result } from "#shared/result.ts";
import { outbox, refreshTokens, users } from "../db/tables.ts";
import { type IdentityConfig, sessionSettings } from "./config.ts";
import { devicesOf, forgetDevices, knownDevice, withDeviceToken } from "./devices.ts";
import { decoyHash, hashPassword, verifyPassword } from "./passwords.ts";
import { type IdentityDb, issueSession, toUser } from "./sessions.ts";
import type { LoginThrottle } from "./throttle.ts";

export const emailKey = (email: string): string => email.trim().toLowerCase();

export async function register(db: IdentityDb, config: IdentityConfig, body: unknown): Promise<Result<Session>> {
  const parsed = parseInput(RegisterBody, body);
  if (!parsed.ok) return parsed;
  const { email, password, name } = parsed.value;
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
  return ok(await withDeviceToken(db, config.DEVICE_TOKEN_TTL_SECONDS, row.id, null, await issueSession(db, sessionSettings(config), row)));
}

/** The two throttles a sign-in passes: one per account (and per client within it), one per client. */
export type SignInThrottles = {
  client: string;
  /** The sign-in's request id, which the throttles log under. */
  call?: CallContext;
  account: DurableObjectStub<LoginThrottle>;
  byClient: DurableObjectStub<LoginThrottle>;
};

const WRONG = "the email or password is wrong";
const throttled = (retryAfter: number) =>
  fail<never>(429, `too many sign-in attempts; try again in ${retryAfter} s`, undefined, { retryAfter });

/**
 * Signs in. Each attempt is counted before the password is checked, in the same call that checks the count:
 * per client (across accounts), per account and client, and per account from everyone. A guesser elsewhere
 * uses up only its own share of the account, so the owner still signs in; a success gives the attempt back.
 * Strangers together can spend the account's share, but not for a device that signed in before: its device
 * token takes it past that limit (its own wrong passwords count per device instead).
 * A wrong password and an unknown email give the same answer after the same work (a decoy hash).
 */
export async function login(db: IdentityDb, config: IdentityConfig, body: unknown, throttles: SignInThrottles): Promise<Result<Session>> {
  const parsed = parseInput(LoginBody, body);
  if (!parsed.ok) return parsed;
  const windowMs = config.LOGIN_WINDOW_SECONDS * 1000;
  const { client } = throttles;
  const byClient = await throttles.byClient.attempt(
    client,
    { total: config.LOGIN_MAX_ATTEMPTS_PER_CLIENT, windowMs },
    null,
    throttles.call,
  );
  if (!byClient.allowed) return throttled(byClient.retryAfterSeconds);
  // Looked up after the per-client check, so a client cannot make many lookups either.
  const device = await knownDevice(db, parsed.value.deviceToken, emailKey(parsed.value.email));
  const account = await throttles.account.attempt(
    client,
    {
      total: config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      perClient: config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_CLIENT,
      perDevice: config.LOGIN_MAX_ATTEMPTS_PER_DEVICE,
      windowMs,
    },
    device?.id ?? null,
    throttles.call,
  );
  if (!account.allowed) {
    await throttles.byClient.refund(byClient.ticket);
    return throttled(account.retryAfterSeconds);
  }

  const email = Email.safeParse(parsed.value.email);
  const [user] = email.success
    ? await db
        .select()
        .from(users)
        .where(eq(users.emailKey, emailKey(email.data)))
        .limit(1)
    : [];
  const live = user !== undefined && user.erasedAt === null ? user : undefined;
  const verdict = await verifyPassword(parsed.value.password, live?.passwordHash ?? (await decoyHash()));
  if (live === undefined || !verdict.ok) return fail(401, WRONG);
  await Promise.all([throttles.account.succeeded(account.ticket, client, device?.id ?? null), throttles.byClient.refund(byClient.ticket)]);
  if (verdict.needsRehash) {
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(parsed.value.password), updatedAt: Date.now() })
      .where(eq(users.id, live.id));
  }
  return ok(
    await withDeviceToken(db, config.DEVICE_TOKEN_TTL_SECONDS, live.id, device, await issueSession(db, sessionSettings(config), live)),
  );
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
 * tombstone so references from orders stay valid; every session ends and every known device is forgotten;
 * other services are told by event.
 * The erasure, the revocations and the event's outbox row are one D1 batch (one transaction), so the event
 * cannot be lost: if the send after it fails, the row stays and the next flush sends it.
 */
export async function erase(db: IdentityDb, userId: string, send: () => Promise<number>, requestId?: string): Promise<Result<null>> {
  const user = await liveUser(db, userId);
  if (user === undefined) return gone();
  const now = Date.now();
  await db.batch([
    db
      .update(users)
      .set({
        email: `erased-${user.id}@invalid`,
        emailKey: `erased-${user.id}@invalid`,
        name: null,
        passwordHash: "!",
        erasedAt: now,
        updatedAt: now,
      })
      .where(eq(users.id, userId)),
    db.update(refreshTokens).set({ status: "revoked" }).where(eq(refreshTokens.userId, userId)),
    forgetDevices(db, userId),
    db.insert(outbox).values(outboxRow(EVENT_TYPES.userErased, { userId }, requestId)),
  ]);
  await send();
  return ok(null);
}

export type IdentityExport = {
  exportedAt: string;
  user: User;
  sessions: { createdAt: string; expiresAt: string; status: string }[];
  devices: { createdAt: string; lastUsedAt: string; expiresAt: string }[];
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
    devices: await devicesOf(db, userId),
    note: "Carts are anonymous until sign-in carts land; orders join this export when checkout does.",
  });
}
