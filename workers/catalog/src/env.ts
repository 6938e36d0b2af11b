import { z } from "zod";

// Configuration is a boundary too: a missing or weak secret stops the Worker with a clear message.
const CatalogConfig = z.object({
  CURSOR_SECRET: z.string().min(16, "CURSOR_SECRET must be at least 16 characters (set it with `wrangler secret put`)"),
  LOG_LEVEL: z.string().optional(),
});
export type CatalogConfig = z.infer<typeof CatalogConfig>;

let cached: { env: object; config: CatalogConfig } | undefined;

export function catalogConfig(env: CatalogEnv): CatalogConfig {
  if (cached?.env === env) return cached.config;
  const config = CatalogConfig.parse(env);
  cached = { env, config };
  return config;
}
