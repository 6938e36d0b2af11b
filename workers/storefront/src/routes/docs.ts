import type { StorefrontApp } from "../app.ts";

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Edge Commerce API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><script id="api-reference" data-url="/v1/openapi.json"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script></body></html>`;

// OpenAPI 3.1 generated from the same zod schemas that validate requests; /docs renders it with Scalar.
export function registerDocs(app: StorefrontApp): void {
  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Edge Commerce shopper API",
      version: "1.0.0",
      description: "Errors are RFC 9457 problem details (application/problem+json). Money is integer minor units.",
    },
  });
  app.get("/docs", (c) => {
    // Scalar's bundle comes from its CDN, so the page may load scripts from there (and nothing else foreign).
    c.header(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; font-src 'self' data: https://fonts.gstatic.com https://cdn.jsdelivr.net; img-src 'self' data:; connect-src 'self'",
    );
    return c.html(DOCS_HTML);
  });
}
