import { env, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { expect, it } from "vitest";
import * as tables from "../db/tables.ts";
import { erase, exportData, register } from "../src/accounts.ts";
import { identityConfig, sessionSettings } from "../src/config.ts";
import { knownDevice, withDeviceToken } from "../src/devices.ts";
import { issueSession } from "../src/sessions.ts";

const db = drizzle(env.DB, { schema: tables });
const config = identityConfig(env);

async function account() {
  const email = `device-${crypto.randomUUID()}@example.com`;
  const made = await register(db, config, { email, password: "correct horse battery", name: "Dee" });
  if (!made.ok) throw new Error(JSON.stringify(made.problem));
  return { email, session: made.value };
}
const devicesOf = (userId: string) => db.select().from(tables.knownDevices).where(eq(tables.knownDevices.userId, userId));

it("a device token is good for its own account only, stored hashed, listed in the export and forgotten on erase", async () => {
  const { email, session } = await account();
  const token = String(session.deviceToken);
  expect(token).toMatch(/^dv_/);
  const [row] = await devicesOf(session.user.id);
  expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  expect(row?.tokenHash).not.toContain(token.slice(3));

  expect(await knownDevice(db, token, email)).toEqual({ id: row?.id, token });
  expect(await knownDevice(db, token, email.toUpperCase())).toBeNull(); // the caller passes the email key
  const other = await account();
  expect(await knownDevice(db, token, other.email)).toBeNull();
  expect(await knownDevice(db, "dv_not-a-token", email)).toBeNull();
  await db
    .update(tables.knownDevices)
    .set({ expiresAt: Date.now() - 1 })
    .where(eq(tables.knownDevices.userId, session.user.id));
  expect(await knownDevice(db, token, email)).toBeNull();

  const exported = await exportData(db, session.user.id);
  expect(exported.ok && exported.value.devices).toEqual([
    { createdAt: expect.any(String), lastUsedAt: expect.any(String), expiresAt: expect.any(String) },
  ]);
  expect(JSON.stringify(exported)).not.toContain(row?.tokenHash);
  expect((await erase(db, session.user.id, async () => 0)).ok).toBe(true);
  expect(await devicesOf(session.user.id)).toEqual([]);
});

it("keeps the 20 most recently used devices of an account", async () => {
  const { session } = await account();
  const user = { ...session.user, createdAt: Date.now() };
  const first = String(session.deviceToken);
  await db
    .update(tables.knownDevices)
    .set({ lastUsedAt: Date.now() - 3_600_000 })
    .where(eq(tables.knownDevices.userId, user.id));
  for (let i = 0; i < 24; i++) await withDeviceToken(db, 3600, user.id, null, await issueSession(db, sessionSettings(config), user));
  expect(await devicesOf(user.id)).toHaveLength(20);
  expect(await knownDevice(db, first, session.user.email)).toBeNull();
});

it("a throttle object made before known devices keeps its count and learns the device column", async () => {
  const stub = env.LOGIN_THROTTLE.getByName(`account:old-${crypto.randomUUID()}`);
  const now = Date.now();
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec("CREATE TABLE attempts (ticket TEXT PRIMARY KEY, client TEXT NOT NULL, at INTEGER NOT NULL)");
    for (let i = 0; i < 3; i++) state.storage.sql.exec("INSERT INTO attempts VALUES (?, ?, ?)", `t${i}`, `198.51.100.${i}`, now);
  });
  const limits = { total: 3, perClient: 5, perDevice: 2, windowMs: 60_000 };
  expect(await stub.attempt("203.0.113.1", limits)).toMatchObject({ allowed: false });
  // A known device is not held to the total, but to its own limit.
  expect(await stub.attempt("203.0.113.1", limits, "dev-1")).toMatchObject({ allowed: true });
  expect(await stub.attempt("203.0.113.2", limits, "dev-1")).toMatchObject({ allowed: true });
  expect(await stub.attempt("203.0.113.3", limits, "dev-1")).toMatchObject({ allowed: false });
  expect(await stub.attempt("203.0.113.3", limits, "dev-2")).toMatchObject({ allowed: true });
});
