import { z } from "@hono/zod-openapi";
import { IMAGE_PATH_PREFIX } from "#schema/catalog/dto.ts";
import { createRouter, type EdgeBindings } from "./edge-app.ts";
import { notFound } from "./problem.ts";
import { problemDoc } from "./route-guard.ts";

// Keys are content-addressed (the hash is in the name), so the bytes behind a URL never change.
const IMMUTABLE = "public, max-age=31536000, immutable";
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,255}$/;

function etagMatches(ifNoneMatch: string | null, etag: string | null): boolean {
  if (ifNoneMatch === null || etag === null) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((t) => bare(t) === bare(etag));
}

function notModified(cached: Response): Response {
  const headers = new Headers();
  for (const name of ["ETag", "Cache-Control", "Last-Modified"]) {
    const value = cached.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(null, { status: 304, headers });
}

/** The R2 key a path names; null for anything that cannot be one (broken percent-encoding, `..`, odd characters). */
function keyOf(path: string): string | null {
  let key: string;
  try {
    key = decodeURIComponent(path.slice(IMAGE_PATH_PREFIX.length));
  } catch {
    return null;
  }
  return KEY_PATTERN.test(key) && !key.includes("..") ? key : null;
}

/**
 * Product images from R2 (the catalog's bucket, read only): the storefront serves them to shoppers, the admin to
 * its dashboard, at the same path, so an image's `url` works on either origin.
 */
export function imageRoutes<B extends EdgeBindings & { ASSETS: R2Bucket }>() {
  const imageRoutes = createRouter<B>();
  // Served by a plain route (keys are R2 paths, read raw), documented by hand: product image keys are
  // `products/<content hash>.<ext>`, so one path segment names the file.
  imageRoutes.openAPIRegistry.registerPath({
    method: "get",
    path: `${IMAGE_PATH_PREFIX}products/{file}`,
    summary: "A product image's bytes: immutable (the name carries its hash), with ETag and 304",
    request: {
      params: z.object({ file: z.string().describe("e.g. 3f2a9c….png, as product `images[].url` gives it") }),
      headers: z.object({ "if-none-match": z.string().optional() }),
    },
    responses: {
      200: {
        description: "The image",
        content: { "image/*": { schema: z.string().meta({ format: "binary" }) }, "application/octet-stream": { schema: z.string() } },
      },
      304: { description: "Not modified (If-None-Match matched the ETag)" },
      404: problemDoc("No image with that key"),
    },
  });

  imageRoutes.get(`${IMAGE_PATH_PREFIX}*`, async (c) => {
    // The raw path: Hono's c.req.path is decoded already, and decoding twice turns `%25ZZ` into a URIError.
    const rawPath = new URL(c.req.url).pathname;
    const key = keyOf(rawPath);
    if (key === null) throw notFound(`no image at ${rawPath}`);

    // The cache key is the bare URL: a conditional request must not make the cache answer for us.
    const cacheKey = new Request(new URL(rawPath, c.req.url).toString(), { method: "GET" });
    const cache = caches.default;
    let response = await cache.match(cacheKey);
    if (response === undefined) {
      const object = await c.env.ASSETS.get(key);
      if (object === null) throw notFound(`no image at ${rawPath}`);
      const headers = new Headers();
      object.writeHttpMetadata(headers);
      headers.set("ETag", object.httpEtag);
      headers.set("Cache-Control", IMMUTABLE);
      headers.set("Content-Length", String(object.size));
      if (!headers.has("Content-Type")) headers.set("Content-Type", "application/octet-stream");
      response = new Response(object.body, { headers });
      c.executionCtx.waitUntil(cache.put(cacheKey, response.clone()));
    }
    if (etagMatches(c.req.header("If-None-Match") ?? null, response.headers.get("ETag"))) {
      await response.body?.cancel();
      return notModified(response);
    }
    return response;
  });
  return imageRoutes;
}
