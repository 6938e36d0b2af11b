import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boot, freshStateDir } from "./platform-harness.ts";

// /docs on both edge Workers is a page the Worker renders itself: it must work offline, so neither its
// CSP nor its markup may name another origin, and whatever it links on its own origin must be there.
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 0 });
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

const sites = [
  { name: "storefront", origin: () => platform.url, openapi: "/v1/openapi.json" },
  { name: "admin", origin: () => platform.adminUrl, openapi: "/admin/openapi.json" },
];

/** CSP source expressions that stay on the page's own origin (or inline it): keywords, hashes, nonces, data:. */
const LOCAL_SOURCE = /^('self'|'none'|'unsafe-inline'|'sha(256|384|512)-[A-Za-z0-9+/=]+'|'nonce-[^']+'|data:)$/;

describe.each(sites)("GET /docs on the $name", (site) => {
  let res: Response;
  let body: string;
  beforeAll(async () => {
    res = await fetch(new URL("/docs", site.origin()));
    body = await res.text();
  });

  it("answers 200 HTML that documents every operation of its OpenAPI document", async () => {
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const doc = (await (await fetch(new URL(site.openapi, site.origin()))).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    for (const path of Object.keys(doc.paths)) expect(body).toContain(path.replace(/&/g, "&amp;"));
  });

  it("has a CSP that allows nothing from another origin, and no script at all", () => {
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0]);
    expect(directives.find((d) => d[0] === "default-src")?.slice(1)).toEqual(["'none'"]);
    for (const [name, ...sources] of directives) {
      if (!name?.endsWith("-src")) continue;
      for (const source of sources) expect(source, `${name} ${source}`).toMatch(LOCAL_SOURCE);
    }
    expect(directives.some((d) => d[0] === "script-src")).toBe(false);
    expect(body).not.toMatch(/<script/i);
  });

  it("styles itself with the one inline stylesheet its CSP allows by hash", () => {
    const styles = [...body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? "");
    expect(styles).toHaveLength(1);
    const hash = createHash("sha256")
      .update(styles[0] ?? "")
      .digest("base64");
    expect(res.headers.get("content-security-policy")).toContain(`style-src 'sha256-${hash}'`);
    expect(body).not.toMatch(/<link[^>]+rel="stylesheet"/i);
    expect(body).not.toMatch(/\sstyle="/i);
  });

  it("references no other origin, and every resource it links on its own origin answers 200", async () => {
    const references = [...body.matchAll(/\s(src|href|action|srcset|poster|data)="([^"]*)"/gi)].map((m) => m[2] ?? "");
    expect(references.length).toBeGreaterThan(0);
    const local = new Set<string>();
    for (const ref of references) {
      if (ref.startsWith("#") || ref.startsWith("data:")) continue;
      expect(ref, "a reference to another origin").toMatch(/^\/(?!\/)/);
      local.add(ref);
    }
    expect(local).toContain(site.openapi);
    for (const path of local) expect((await fetch(new URL(path, site.origin()))).status, path).toBe(200);
  });
});
