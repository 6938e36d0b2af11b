import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { cspWith, PAGE_CSP, setPageHeaders } from "#shared/web/page-headers.ts";

/** A policy as directive → sources. */
const directives = (csp: string): Record<string, string[]> =>
  Object.fromEntries(
    csp
      .split("; ")
      .map((d) => d.split(" "))
      .map(([name = "", ...sources]) => [name, sources]),
  );

describe("cspWith", () => {
  it("is the pages' policy when nothing is added: nothing from elsewhere, no script, no framing", () => {
    const base = directives(PAGE_CSP);
    expect(base["default-src"]).toEqual(["'none'"]);
    expect(base["frame-ancestors"]).toEqual(["'none'"]);
    expect(base["script-src"]).toBeUndefined();
    expect(cspWith()).toBe(PAGE_CSP);
  });

  it("adds sources to a directive the base has, once each", () => {
    const csp = directives(cspWith({ "img-src": ["https://cdn.example", "'self'"], "form-action": ["https://pay.example"] }));
    expect(csp["img-src"]).toEqual(["'self'", "data:", "https://cdn.example"]);
    expect(csp["form-action"]).toEqual(["'self'", "https://pay.example"]);
    expect(csp["style-src"]).toEqual(["'self'"]);
  });

  it("adds a directive the base lacks whole, and leaves the base alone for the next page", () => {
    const csp = directives(cspWith({ "script-src": ["https://js.stripe.com"], "frame-src": ["https://js.stripe.com"] }));
    expect(csp["script-src"]).toEqual(["https://js.stripe.com"]);
    expect(csp["frame-src"]).toEqual(["https://js.stripe.com"]);
    expect(cspWith()).toBe(PAGE_CSP);
  });
});

describe("setPageHeaders", () => {
  const app = new Hono()
    .get("/plain", (c) => {
      setPageHeaders(c);
      return c.html("<p>hi</p>");
    })
    .get("/cached", (c) => {
      setPageHeaders(c, { cache: "public, max-age=4", csp: cspWith({ "script-src": ["https://js.example"] }) });
      return c.html("<p>hi</p>");
    });

  it("sends the policy, a same-origin referrer and no-store by default", async () => {
    const res = await app.request("/plain");
    expect(res.headers.get("Content-Security-Policy")).toBe(PAGE_CSP);
    expect(res.headers.get("Referrer-Policy")).toBe("same-origin");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("takes a page's own cache and policy", async () => {
    const res = await app.request("/cached");
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=4");
    expect(res.headers.get("Content-Security-Policy")).toContain("script-src https://js.example");
  });
});
