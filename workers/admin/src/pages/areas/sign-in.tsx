/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { problemText, RESHOWN_FORM_STATUS, readForm } from "#shared/web/form.ts";
import { setPageHeaders } from "#shared/web/page-headers.ts";
import type { DashboardKit } from "../dashboard-kit.tsx";
import { callOf, csrfToken, csrfValid, deviceToken, endSession, startSession } from "../session.ts";
import { InvitePage, SignInPage } from "../views/sign-in.tsx";

const MERCHANT_ROLES = ["merchant_owner", "merchant_staff", "platform_admin"];
const EXPIRED = "The form expired; please try again.";

/** Getting in and out: signing in, accepting a staff invitation, signing out. */
export function signInPages(kit: DashboardKit) {
  const app = new Hono<EdgeEnv<AdminEnv>>();

  app.get("/admin/sign-in", (c) => {
    setPageHeaders(c);
    return c.html(<SignInPage csrf={csrfToken(c)} />);
  });

  app.post("/admin/sign-in", async (c) => {
    const { values: form } = await readForm(c);
    setPageHeaders(c);
    const again = (error: string, status: number = RESHOWN_FORM_STATUS) =>
      c.html(<SignInPage csrf={csrfToken(c)} email={form.email ?? ""} error={error} />, status as 200);
    if (!csrfValid(c, form)) return again("The form expired; please sign in again.", 403);
    const session = await c.env.IDENTITY.login({ email: form.email, password: form.password, deviceToken: deviceToken(c) }, callOf(c));
    if (!session.ok) return again(problemText(session.problem));
    if (!MERCHANT_ROLES.includes(session.value.user.role)) {
      await c.env.IDENTITY.logout({ refreshToken: session.value.refreshToken }, callOf(c));
      return again("This is a shopper account. Merchants sign in here with their shop account.");
    }
    await startSession(c, session.value);
    return c.redirect("/admin", 303);
  });

  app.post("/admin/sign-out", async (c) => {
    const { values: form } = await readForm(c);
    if (!csrfValid(c, form)) return kit.refused(c);
    const refreshToken = endSession(c);
    if (refreshToken !== undefined) await c.env.IDENTITY.logout({ refreshToken }, callOf(c));
    return c.redirect("/admin/sign-in", 303);
  });

  app.get("/admin/invite", (c) => {
    setPageHeaders(c);
    return c.html(<InvitePage csrf={csrfToken(c)} token={c.req.query("token") ?? ""} />);
  });

  app.post("/admin/invite", async (c) => {
    const { values: form } = await readForm(c);
    setPageHeaders(c);
    const token = form.token ?? "";
    const again = (error: string, status: number = RESHOWN_FORM_STATUS) =>
      c.html(<InvitePage csrf={csrfToken(c)} token={token} error={error} />, status as 200);
    if (!csrfValid(c, form)) return again(EXPIRED, 403);
    const accepted = await c.env.IDENTITY.acceptInvite({ token, password: form.password, name: form.name }, callOf(c));
    if (!accepted.ok) return again(problemText(accepted.problem));
    await startSession(c, accepted.value);
    return c.redirect("/admin", 303);
  });

  return app;
}
