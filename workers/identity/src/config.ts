import { z } from "zod";
import { configFrom } from "#shared/config.ts";

const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback);

// Configuration is a boundary: a missing key or a nonsense TTL stops the Worker with a message that says so.
const IdentityConfig = z.object({
  JWT_SIGNING_KEYS: z.string().min(2, "JWT_SIGNING_KEYS is not set (see docs/operations.md: keys and rotation)"),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  ACCESS_TOKEN_TTL_SECONDS: positive(900),
  REFRESH_TOKEN_TTL_SECONDS: positive(30 * 24 * 3600),
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_CLIENT: positive(5),
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: positive(50),
  LOGIN_MAX_ATTEMPTS_PER_CLIENT: positive(30),
  LOGIN_WINDOW_SECONDS: positive(900),
  LOGIN_MAX_ATTEMPTS_PER_DEVICE: positive(5),
  DEVICE_TOKEN_TTL_SECONDS: positive(180 * 24 * 3600),
});
export type IdentityConfig = z.infer<typeof IdentityConfig>;

export const identityConfig: (env: IdentityEnv) => IdentityConfig = configFrom(IdentityConfig);

export const sessionSettings = (c: IdentityConfig) => ({
  signingKeys: c.JWT_SIGNING_KEYS,
  issuer: c.JWT_ISSUER,
  audience: c.JWT_AUDIENCE,
  ttlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
  refreshTtlSeconds: c.REFRESH_TOKEN_TTL_SECONDS,
});
