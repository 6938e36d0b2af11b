import type { Context } from "hono";

/**
 * A handler for a stylesheet or script served at a path named by its content hash: a new version is a new path,
 * so browsers and caches may keep this one for a year without asking again.
 */
export const immutableAsset =
  (body: string, contentType: string) =>
  (c: Context): Response => {
    c.header("Content-Type", contentType);
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    return c.body(body);
  };
