import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { schemaVersion } from "#shared/object-schema.ts";

// A throttle object as the release before schema versions left it (its DDL, copied from that release).
const PREVIOUS_THROTTLE = `
  CREATE TABLE attempts (ticket TEXT PRIMARY KEY, client TEXT NOT NULL, at INTEGER NOT NULL, device TEXT);
  CREATE INDEX attempts_client ON attempts (client, at);
  CREATE INDEX attempts_device ON attempts (device, at);
`;
const versionOf = (stub: DurableObjectStub) => runInDurableObject(stub, (_object, state) => schemaVersion(state.storage.sql));

it("a throttle object of the previous release keeps counting its attempts, reaches version 1, and starts afresh after its alarm", async () => {
  const stub = env.LOGIN_THROTTLE.getByName(`account:previous-${crypto.randomUUID()}`);
  const now = Date.now();
  await runInDurableObject(stub, (_object, state) => {
    state.storage.sql.exec(PREVIOUS_THROTTLE);
    state.storage.sql.exec("INSERT INTO attempts VALUES ('t1', '198.51.100.1', ?, NULL), ('t2', '198.51.100.1', ?, 'dev-1')", now, now);
  });
  const limits = { total: 2, perClient: 2, perDevice: 1, windowMs: 60_000 };
  expect(await stub.attempt("198.51.100.1", limits)).toMatchObject({ allowed: false });
  expect(await stub.attempt("198.51.100.2", limits, "dev-1")).toMatchObject({ allowed: false });
  expect(await stub.attempt("198.51.100.2", limits)).toMatchObject({ allowed: true });
  expect(await versionOf(stub)).toBe(1);

  expect(await runDurableObjectAlarm(stub)).toBe(true);
  expect(await versionOf(stub)).toBe(0);
  expect(await stub.attempt("198.51.100.1", limits)).toMatchObject({ allowed: true });
  expect(await versionOf(stub)).toBe(1);
});
