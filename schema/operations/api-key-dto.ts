import { z } from "zod";

export const API_KEY_SCOPES = ["read", "write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export const DEFAULT_QUOTA_PER_MINUTE = 120;
export const MAX_KEYS_PER_MERCHANT = 50;

export const ApiKeyBody = z
  .object({
    name: z.string({ error: "name is required" }).trim().min(1, "name must not be empty").max(80, "name is at most 80 characters"),
    scope: z.enum(API_KEY_SCOPES, { error: 'scope is "read" or "write"' }),
    quotaPerMinute: z
      .number({ error: "quotaPerMinute must be a whole number" })
      .int("quotaPerMinute must be a whole number")
      .min(1, "quotaPerMinute is 1 to 10000")
      .max(10_000, "quotaPerMinute is 1 to 10000")
      .default(DEFAULT_QUOTA_PER_MINUTE),
  })
  .strict()
  .meta({ id: "ApiKeyRequest" });

export const DailyUsage = z.object({ date: z.string(), requests: z.number().int(), refused: z.number().int() }).meta({ id: "ApiKeyUsage" });
export type DailyUsage = z.infer<typeof DailyUsage>;

export const ApiKeyView = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(API_KEY_SCOPES),
    prefix: z.string(),
    quotaPerMinute: z.number().int(),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    usage: z.array(DailyUsage).describe("Requests per UTC day, the last 14 days, newest first"),
  })
  .meta({ id: "ApiKey" });
export type ApiKeyView = z.infer<typeof ApiKeyView>;
export const ApiKeyList = z.object({ items: z.array(ApiKeyView) }).meta({ id: "ApiKeyList" });

export const CreatedApiKey = ApiKeyView.omit({ usage: true, revokedAt: true })
  .extend({ key: z.string().describe("The key itself: shown this once, stored only as a hash") })
  .meta({ id: "CreatedApiKey" });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;
