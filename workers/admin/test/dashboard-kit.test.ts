import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "#shared/crypto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import type { CallApi } from "../src/pages/api.ts";
import { dashboardKit } from "../src/pages/dashboard-kit.tsx";
import type { Who } from "../src/pages/session.ts";

// The kit's frame, CSRF check and flash, through a Hono app: the API is never called by what is under test.
const kit = dashboardKit((() => {
  throw new Error("no API in these tests");
}) as unknown as CallApi);

const seen: { form?: Record<string, string>; who?: Who } = {};
const app = new Hono<EdgeEnv<AdminEnv>>()
  .use(async (c, next) => {
    c.set("requestId", "req-7");
    await next();
  })
  .all(
    "/admin/things",
    kit.page(async (c, ctx) => {
      seen.form = ctx.form;
      seen.who = ctx.who;
      return kit.done(c, "/admin/things", { ok: true }, "Saved.");
    }),
  )
  .get(
    "/admin/list",
    kit.page(async (c, ctx) => kit.render(c, ctx, { title: "List", current: "things", body: "the list" })),
  )
  .get(
    "/admin/broken",
    kit.page(async (c, ctx) =>
      kit.render(c, ctx, {
        title: "Broken",
        current: "things",
        body: "the list",
        status: 502,
        problem: { type: "about:blank", title: "Bad Gateway", status: 502, detail: "Catalog did not answer" },
      }),
    ),
  )
  .post(
    "/admin/refused",
    kit.page(async (c) =>
      kit.done(
        c,
        "/admin/things",
        { ok: false, problem: { type: "about:blank", title: "Conflict", status: 409, detail: "Sold out" } },
        "Saved.",
      ),
    ),
  );

const who: Who = { name: "Mia", email: "mia@example.com", role: "merchant_owner", merchantId: "m_1", merchantName: "Mia's" };
const whoCookie = `ec_admin_who=${toBase64Url(new TextEncoder().encode(JSON.stringify(who)))}`;
const CSRF = "c".repeat(43);
const signedIn = { Cookie: `${whoCookie}; ec_admin_csrf=${CSRF}` };
const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = signedIn) =>
  app.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
  });
/** The flash a redirect sets, as the page it lands on shows it. */
async function flashOf(res: Response): Promise<string | null> {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("ec_admin_flash="));
  if (cookie === undefined) return null;
  const page = await app.request("/admin/list", { headers: { Cookie: `${signedIn.Cookie}; ${cookie.split(";")[0]}` } });
  return (
    /<div class="flash (\w+)" role="\w+">([^<]*)<\/div>/
      .exec(await page.text())
      ?.slice(1)
      .join(": ") ?? "no flash shown"
  );
}

describe("dashboardKit.page", () => {
  it("sends a browser without a session to sign in", async () => {
    const res = await app.request("/admin/things");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/admin/sign-in");
  });

  it("refuses a post without the CSRF token, with the error page and a way back", async () => {
    const res = await post("/admin/things", { name: "x" });
    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).toContain("Form refused");
    expect(page).toContain("req-7");
    expect(page).toContain('href="/admin"');
  });

  it("refuses a post from another origin even with the token", async () => {
    const res = await post("/admin/things", { _csrf: CSRF }, { ...signedIn, Origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });

  it("hands a good post's fields and the merchant to the page, then redirects with the success", async () => {
    const res = await post("/admin/things", { _csrf: CSRF, name: "  Warehouse sync " }, { ...signedIn, Origin: "http://localhost" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/admin/things");
    expect(seen.form).toMatchObject({ name: "Warehouse sync" });
    expect(seen.who).toMatchObject({ email: "mia@example.com", merchantId: "m_1" });
    expect(await flashOf(res)).toBe("ok: Saved.");
  });
});

describe("dashboardKit.done", () => {
  it("flashes the API's words when the change was refused", async () => {
    const res = await post("/admin/refused", { _csrf: CSRF });
    expect(await flashOf(res)).toBe("bad: Sold out");
  });
});

describe("dashboardKit.render", () => {
  it("draws the page in the frame with the problem above it, with the page's status and headers", async () => {
    const res = await app.request("/admin/broken", { headers: signedIn });
    expect(res.status).toBe(502);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toMatch(/<div class="flash bad" role="alert">Catalog did not answer<\/div>/);
    expect(page).toContain("the list");
    expect(page).toContain("<title>Broken");
  });
});
