import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A JSON array with one fresh ES256 private JWK, the shape identity's JWT_SIGNING_KEYS takes. */
export function newSigningKeys(): string {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  return JSON.stringify([{ ...jwk, kid: `dev-${randomBytes(6).toString("hex")}`, alg: "ES256" }]);
}

const randomSecret = (): string => randomBytes(32).toString("base64url");

// Local secrets are made on first start and kept in git-ignored .dev.vars files beside each config;
// production secrets come from `wrangler secret put`. The payment provider is a local choice too: the test
// provider (any Luhn-valid number is paid) exists only where this file turns it on, and no deployment reads it.
const SECRETS: Record<string, Record<string, () => string>> = {
  "workers/catalog": { CURSOR_SECRET: randomSecret },
  "workers/identity": { JWT_SIGNING_KEYS: newSigningKeys },
  "workers/fulfillment": { CARRIER_WEBHOOK_SECRET: randomSecret },
  "workers/admin": { API_KEY_TAG_SECRET: randomSecret },
  "workers/payments": { PAYMENT_PROVIDER: () => "test", TEST_PAYMENTS: () => "on" },
};

export function ensureDevVars(root: string): void {
  for (const [dir, secrets] of Object.entries(SECRETS)) {
    const file = join(root, dir, ".dev.vars");
    const current = existsSync(file) ? readFileSync(file, "utf8") : "";
    const missing = Object.entries(secrets).filter(([name]) => !new RegExp(`^${name}=`, "m").test(current));
    if (missing.length === 0) continue;
    // Values are single-quoted: a JWK set is JSON, and .dev.vars is dotenv syntax.
    const lines = missing.map(([name, make]) => `${name}='${make()}'`);
    writeFileSync(file, `${current}${current && !current.endsWith("\n") ? "\n" : ""}${lines.join("\n")}\n`);
  }
}

/**
 * Vars a local platform sets differently from a deployment: development routes on (/dev/outbox), emails kept in
 * the notifications outbox instead of sent, metrics read from the local sink. Not in .dev.vars: `wrangler types` reads that file, and the checked-in
 * types must not depend on whether a platform was ever started on this machine.
 */
export const LOCAL_VARS: Record<string, Record<string, string>> = {
  storefront: { DEV_ROUTES: "on" },
  notifications: { MAIL_TRANSPORT: "dev-outbox" },
  insights: { DEV_FAULTS: "on" },
  // The operations page reads the local metrics sink (scripts/metrics-sink.ts), not Analytics Engine's SQL API.
  admin: { METRICS_SOURCE: "local" },
};
