import { addColumnIfMissing, type SchemaStep } from "#shared/object-schema.ts";

/** A LoginThrottle object's schema versions (workers/shared/src/object-schema.ts runs them on first use). */
export const THROTTLE_SCHEMA: readonly SchemaStep[] = [
  {
    version: 1,
    does:
      "the attempts in the window, by client and by known device, as the release before versions left them; " +
      "an object made before known devices (still inside its window) gets attempts.device",
    up: (sql) => {
      sql.exec(`
        CREATE TABLE IF NOT EXISTS attempts (ticket TEXT PRIMARY KEY, client TEXT NOT NULL, at INTEGER NOT NULL, device TEXT);
        CREATE INDEX IF NOT EXISTS attempts_client ON attempts (client, at);
      `);
      addColumnIfMissing(sql, "attempts", "device", "TEXT");
      sql.exec("CREATE INDEX IF NOT EXISTS attempts_device ON attempts (device, at)");
    },
  },
];
