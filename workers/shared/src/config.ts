import type { z } from "zod";

/**
 * A Worker's configuration, parsed from its env once per env object: a missing secret or a nonsense value
 * stops the Worker with zod's message instead of failing somewhere later.
 */
export function configFrom<T>(schema: z.ZodType<T>): (env: object) => T {
  let cached: { env: object; config: T } | undefined;
  return (env) => {
    if (cached !== undefined && cached.env === env) return cached.config;
    const config = schema.parse(env);
    cached = { env, config };
    return config;
  };
}
