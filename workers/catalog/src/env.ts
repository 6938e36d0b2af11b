import { z } from "zod";
import { configFrom } from "#shared/config.ts";

// Configuration is a boundary too: a missing or weak secret stops the Worker with a clear message.
const CatalogConfig = z.object({
  CURSOR_SECRET: z.string().min(16, "CURSOR_SECRET must be at least 16 characters (set it with `wrangler secret put`)"),
  LOG_LEVEL: z.string().optional(),
});
export type CatalogConfig = z.infer<typeof CatalogConfig>;

export const catalogConfig: (env: CatalogEnv) => CatalogConfig = configFrom(CatalogConfig);
