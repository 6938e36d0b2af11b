/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { Invitation, Member } from "#schema/identity/staff-dto.ts";
import type { ApiKeyView, CreatedApiKey } from "#schema/operations/api-key-dto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { type DashboardKit, type PageCtx, pathParam } from "../dashboard-kit.tsx";
import type { PageContext } from "../session.ts";
import { ApiKeysPage, StaffPage } from "../views/people.tsx";

/** Who may act for the shop: API keys for its programs, and its staff (the owner's pages; the API enforces it). */
export function peoplePages(kit: DashboardKit) {
  const app = new Hono<EdgeEnv<AdminEnv>>();

  const keysPage = async (c: PageContext, ctx: PageCtx, created: CreatedApiKey | null) => {
    const keys = await ctx.api<{ items: ApiKeyView[] }>("GET", "/admin/v1/api-keys");
    const page = { title: "API keys", current: "/admin/api-keys" };
    return kit.fromApi(c, ctx, page, keys, (data) => <ApiKeysPage keys={data.items} created={created} csrf={ctx.csrf} />);
  };

  app.get(
    "/admin/api-keys",
    kit.page((c, ctx) => keysPage(c, ctx, null)),
  );

  app.post(
    "/admin/api-keys",
    kit.page(async (c, ctx) => {
      const body = { name: ctx.form.name ?? "", scope: ctx.form.scope ?? "", quotaPerMinute: Number(ctx.form.quotaPerMinute || "120") };
      const created = await ctx.api<CreatedApiKey>("POST", "/admin/v1/api-keys", body);
      if (!created.ok) return kit.done(c, "/admin/api-keys", created, "");
      // The key is shown on this response only: it is stored nowhere it could be read again.
      return keysPage(c, ctx, created.data);
    }),
  );

  app.post(
    "/admin/api-keys/:id/revoke",
    kit.page(async (c, { api }) =>
      kit.done(c, "/admin/api-keys", await api("DELETE", `/admin/v1/api-keys/${pathParam(c, "id")}`), "Key revoked."),
    ),
  );

  const staffPage = async (c: PageContext, ctx: PageCtx, inviteLink: string | null) => {
    const members = await ctx.api<{ items: Member[] }>("GET", "/admin/v1/staff");
    const page = { title: "Staff", current: "/admin/staff" };
    return kit.fromApi(c, ctx, page, members, (data) => (
      <StaffPage members={data.items} inviteLink={inviteLink} csrf={ctx.csrf} self={ctx.who.email} />
    ));
  };

  app.get(
    "/admin/staff",
    kit.page((c, ctx) => staffPage(c, ctx, null)),
  );

  app.post(
    "/admin/staff",
    kit.page(async (c, ctx) => {
      const invited = await ctx.api<Invitation>("POST", "/admin/v1/staff", { email: ctx.form.email ?? "", role: ctx.form.role ?? "" });
      if (!invited.ok) return kit.done(c, "/admin/staff", invited, "");
      const link = new URL(`/admin/invite?token=${encodeURIComponent(invited.data.inviteToken)}`, c.req.url).toString();
      return staffPage(c, ctx, link);
    }),
  );

  app.post(
    "/admin/staff/:id/remove",
    kit.page(async (c, { api }) => kit.done(c, "/admin/staff", await api("DELETE", `/admin/v1/staff/${pathParam(c, "id")}`), "Removed.")),
  );

  return app;
}
