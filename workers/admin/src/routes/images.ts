import { z } from "@hono/zod-openapi";
import { AdminProduct, MAX_IMAGE_BYTES } from "#schema/catalog/admin-dto.ts";
import { createRouter } from "#shared/edge-app.ts";
import { ProblemError } from "#shared/problem.ts";
import { unwrap } from "#shared/result.ts";
import { problemDoc } from "#shared/route-guard.ts";
import { merchantOnly } from "../guards.ts";
import { callOf, scopeOf } from "./context.ts";

const UPLOAD_PATH = "/admin/v1/products/{id}/images";

export const imageRoutes = createRouter<AdminEnv>();

// A plain route documented by hand: its body is the file itself (any declared type: the bytes decide) or a
// multipart form, which no JSON schema validator should try to parse.
imageRoutes.openAPIRegistry.registerPath({
  method: "post",
  path: UPLOAD_PATH,
  summary:
    "Upload an image: PNG, JPEG, GIF or WebP (checked by its bytes), at most 5 MiB and 40 megapixels; width and height read from it; stored without its metadata (EXIF, GPS, XMP, comments)",
  security: merchantOnly.security ?? [],
  request: {
    params: z.object({ id: z.string().describe("The product's id") }),
    query: z.object({ alt: z.string().max(300).optional().describe("Alt text (raw-bytes uploads)") }),
    body: {
      required: true,
      content: {
        "application/octet-stream": { schema: z.string().meta({ format: "binary" }) },
        "multipart/form-data": { schema: z.object({ file: z.string().meta({ format: "binary" }), alt: z.string().max(300).optional() }) },
      },
    },
  },
  responses: {
    201: { description: "The product with its images", content: { "application/json": { schema: AdminProduct } } },
    400: problemDoc("A multipart form without a file"),
    404: problemDoc("No such product, or another merchant's"),
    413: problemDoc("Larger than 5 MiB"),
    415: problemDoc("Not a PNG, JPEG, GIF or WebP file"),
    422: problemDoc("A canvas over 40 megapixels or 20,000 px a side, or a file whose structure cannot be read through"),
    ...merchantOnly.responses,
  },
});

async function uploaded(request: Request, query: URLSearchParams): Promise<{ bytes: Uint8Array; alt: string }> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_IMAGE_BYTES * 1.1) throw new ProblemError(413, `an image is at most ${MAX_IMAGE_BYTES / 1024 / 1024} MiB`);
  if ((request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data")) {
    const form = await request.formData().catch(() => {
      throw new ProblemError(400, "the multipart form could not be read", [
        { field: "file", message: "send the image as the field `file`" },
      ]);
    });
    const file = form.get("file");
    if (file === null || typeof file === "string") {
      throw new ProblemError(400, "file: send the image as the form field `file`", [{ field: "file", message: "missing" }]);
    }
    const alt = form.get("alt");
    return { bytes: new Uint8Array(await file.arrayBuffer()), alt: typeof alt === "string" ? alt : "" };
  }
  return { bytes: new Uint8Array(await request.arrayBuffer()), alt: query.get("alt") ?? "" };
}

imageRoutes.post("/admin/v1/products/:id/images", merchantOnly.middleware, async (c) => {
  const { bytes, alt } = await uploaded(c.req.raw, new URL(c.req.url).searchParams);
  if (bytes.byteLength === 0)
    throw new ProblemError(400, "the body is empty: send the image's bytes", [{ field: "body", message: "empty" }]);
  const product = unwrap(await c.env.CATALOG.addImage(scopeOf(c), c.req.param("id"), bytes, alt.slice(0, 300), callOf(c)));
  return c.json(product, 201);
});
