/** @jsxImportSource hono/jsx */
import type { z } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { AdminProduct, AdminProductPage } from "../../../../schema/catalog/admin-dto.ts";
import type { CategoryNode, CategoryTree } from "../../../../schema/catalog/dto.ts";
import type { AdminReview } from "../../../../schema/catalog/review-dto.ts";
import type { ReturnList, ShipmentList } from "../../../../schema/fulfillment/dto.ts";
import type { Invitation, Member } from "../../../../schema/identity/staff-dto.ts";
import type { SalesReport } from "../../../../schema/insights/dto.ts";
import type { ApiKeyView, CreatedApiKey } from "../../../../schema/operations/api-key-dto.ts";
import type { MerchantOrder } from "../../../../schema/orders/dto.ts";
import type { Problem } from "../../../../schema/problem.ts";
import type { EdgeEnv } from "../../../shared/src/edge-app.ts";
import type { OperationsReport } from "../routes/operations.ts";
import { type Api, apiFor, type CallApi, SignedOut } from "./api.ts";
import { ErrorPage, Layout } from "./layout.tsx";
import { editorValues, productBody } from "./product-form.ts";
import {
  callOf,
  csrfToken,
  csrfValid,
  deviceToken,
  endSession,
  flash,
  type PageContext,
  startSession,
  takeFlash,
  type Who,
  whoIs,
} from "./session.ts";
import { DASHBOARD_CSS, DASHBOARD_CSS_PATH } from "./styles.ts";
import { ReportsPage, ReviewsPage } from "./views/insights.tsx";
import { OperationsPage } from "./views/operations.tsx";
import { type OrderFilter, OrdersPage } from "./views/orders.tsx";
import { ApiKeysPage, Overview, StaffPage } from "./views/people.tsx";
import { type CategoryOption, ProductEditor, type StockInfo } from "./views/product-editor.tsx";
import { ProductList } from "./views/products.tsx";
import { ReturnsPage } from "./views/returns.tsx";
import { InvitePage, SignInPage } from "./views/sign-in.tsx";

type Handler = (c: PageContext, ctx: { api: Api; who: Who; csrf: string; form: Record<string, string | File> }) => Promise<Response>;

// Pages allow nothing from elsewhere: no script at all, styles and images from this origin only.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function pageHeaders(c: PageContext): void {
  c.header("Cache-Control", "no-store");
  c.header("Content-Security-Policy", CSP);
  c.header("Referrer-Policy", "same-origin");
}

const problemText = (p: Problem): string => p.detail ?? p.title;

function flatten(nodes: CategoryNode[], depth = 0): CategoryOption[] {
  return nodes.flatMap((n) => [{ slug: n.slug, label: `${"— ".repeat(depth)}${n.name}` }, ...flatten(n.children, depth + 1)]);
}

/**
 * The merchant dashboard: server-rendered pages (hono/jsx), forms that post and redirect, no client script.
 * Every page acts through the merchant JSON API in process, as the signed-in user.
 */
export function dashboardRoutes(callApi: CallApi) {
  const app = new Hono<EdgeEnv<AdminEnv>>();

  /** A page in the dashboard's frame; `problem` (an API call that failed while drawing it) is shown on this page. */
  const render = (
    c: PageContext,
    who: Who,
    csrf: string,
    title: string,
    current: string,
    body: Child,
    status = 200,
    problem: Problem | null = null,
  ) => {
    pageHeaders(c);
    const notice = problem === null ? takeFlash(c) : { kind: "bad" as const, text: problemText(problem) };
    return c.html(
      <Layout title={title} who={who} current={current} flash={notice} csrf={csrf}>
        {body}
      </Layout>,
      status as 200,
    );
  };

  /** A post without this dashboard's CSRF token (or from another origin): refused, with a way back. */
  const refused = (c: PageContext) => {
    pageHeaders(c);
    const text = "This form has expired or did not come from this dashboard. Go back, reload the page and try again.";
    return c.html(<ErrorPage title="Form refused" text={text} />, 403);
  };

  /** A page for a signed-in merchant: the session, the CSRF check on posts, sign-in again when it is over. */
  const page =
    (handler: Handler) =>
    async (c: PageContext): Promise<Response> => {
      const who = whoIs(c);
      if (who === null) return c.redirect("/admin/sign-in", 303);
      const csrf = csrfToken(c);
      let form: Record<string, string | File> = {};
      if (c.req.method === "POST") {
        form = (await c.req.parseBody()) as Record<string, string | File>;
        if (!csrfValid(c, form)) return refused(c);
      }
      try {
        return await handler(c, { api: apiFor(c, callApi), who, csrf, form });
      } catch (err) {
        if (err instanceof SignedOut) {
          endSession(c);
          return c.redirect("/admin/sign-in", 303);
        }
        throw err;
      }
    };

  const text = (form: Record<string, string | File>, name: string): string => {
    const value = form[name];
    return typeof value === "string" ? value.trim() : "";
  };

  /** After a change: back to where it was made, with what happened. */
  const done = (c: PageContext, to: string, result: { ok: boolean; problem?: Problem }, success: string) => {
    flash(
      c,
      result.ok || result.problem === undefined ? { kind: "ok", text: success } : { kind: "bad", text: problemText(result.problem) },
    );
    return c.redirect(to, 303);
  };

  app.get(DASHBOARD_CSS_PATH, (c) => {
    c.header("Content-Type", "text/css; charset=utf-8");
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    return c.body(DASHBOARD_CSS);
  });

  app.get("/admin/sign-in", (c) => {
    pageHeaders(c);
    return c.html(<SignInPage csrf={csrfToken(c)} />);
  });

  app.post("/admin/sign-in", async (c) => {
    const form = (await c.req.parseBody()) as Record<string, string>;
    pageHeaders(c);
    const again = (error: string, status: number) =>
      c.html(<SignInPage csrf={csrfToken(c)} email={String(form.email ?? "")} error={error} />, status as 200);
    if (!csrfValid(c, form)) return again("The form expired; please sign in again.", 403);
    const session = await c.env.IDENTITY.login({ email: form.email, password: form.password, deviceToken: deviceToken(c) }, callOf(c));
    if (!session.ok) return again(problemText(session.problem), session.problem.status);
    if (!["merchant_owner", "merchant_staff", "platform_admin"].includes(session.value.user.role)) {
      await c.env.IDENTITY.logout({ refreshToken: session.value.refreshToken }, callOf(c));
      return again("This is a shopper account. Merchants sign in here with their shop account.", 403);
    }
    await startSession(c, session.value);
    return c.redirect("/admin", 303);
  });

  app.post("/admin/sign-out", async (c) => {
    const form = (await c.req.parseBody()) as Record<string, string>;
    if (!csrfValid(c, form)) return refused(c);
    const refreshToken = endSession(c);
    if (refreshToken !== undefined) await c.env.IDENTITY.logout({ refreshToken }, callOf(c));
    return c.redirect("/admin/sign-in", 303);
  });

  app.get("/admin/invite", (c) => {
    pageHeaders(c);
    return c.html(<InvitePage csrf={csrfToken(c)} token={c.req.query("token") ?? ""} />);
  });

  app.post("/admin/invite", async (c) => {
    const form = (await c.req.parseBody()) as Record<string, string>;
    pageHeaders(c);
    const token = String(form.token ?? "");
    if (!csrfValid(c, form))
      return c.html(<InvitePage csrf={csrfToken(c)} token={token} error="The form expired; please try again." />, 403);
    const accepted = await c.env.IDENTITY.acceptInvite({ token, password: form.password, name: form.name }, callOf(c));
    if (!accepted.ok)
      return c.html(<InvitePage csrf={csrfToken(c)} token={token} error={problemText(accepted.problem)} />, accepted.problem.status as 200);
    await startSession(c, accepted.value);
    return c.redirect("/admin", 303);
  });

  app.get(
    "/admin",
    page(async (c, { api, who, csrf }) => {
      const [products, shipments, returns] = await Promise.all([
        api<AdminProductPage>("GET", "/admin/v1/products?limit=100"),
        api<z.infer<typeof ShipmentList>>("GET", "/admin/v1/shipments?status=pending"),
        api<z.infer<typeof ReturnList>>("GET", "/admin/v1/returns"),
      ]);
      const count = products.ok ? `${products.data.items.length}${products.data.nextCursor === null ? "" : "+"}` : "—";
      const open = returns.ok ? returns.data.items.filter((r) => r.status === "requested" || r.status === "approved").length : 0;
      const overview = (
        <Overview products={count} pendingShipments={shipments.ok ? shipments.data.items.length : 0} openReturns={open} name={who.name} />
      );
      return render(c, who, csrf, "Overview", "/admin", overview);
    }),
  );

  app.get(
    "/admin/products",
    page(async (c, { api, who, csrf }) => {
      const q = c.req.query("q") ?? "";
      const status = c.req.query("status") ?? "";
      const query = new URLSearchParams({ limit: "25" });
      if (q !== "") query.set("q", q);
      if (status !== "") query.set("status", status);
      const cursor = c.req.query("cursor");
      if (cursor !== undefined) query.set("cursor", cursor);
      const list = await api<AdminProductPage>("GET", `/admin/v1/products?${query.toString()}`);
      const body = <ProductList page={list.ok ? list.data : { items: [], nextCursor: null }} q={q} status={status} />;
      return render(c, who, csrf, "Products", "/admin/products", body, list.status, list.ok ? null : list.problem);
    }),
  );

  const categoriesOf = async (api: Api): Promise<CategoryOption[]> => {
    const tree = await api<CategoryTree>("GET", "/admin/v1/categories");
    return tree.ok ? flatten(tree.data.items) : [];
  };

  const stockOf = async (api: Api, product: AdminProduct): Promise<Record<string, StockInfo>> => {
    const levels = await Promise.all(
      product.variants.map(async (v) => [v.sku, await api<StockInfo>("GET", `/admin/v1/inventory/${encodeURIComponent(v.sku)}`)] as const),
    );
    return Object.fromEntries(levels.flatMap(([sku, reply]) => (reply.ok ? [[sku, reply.data]] : [])));
  };

  const editor = async (
    c: PageContext,
    ctx: { api: Api; who: Who; csrf: string },
    product: AdminProduct | null,
    problem: Problem | null,
    values = editorValues(product),
  ) => {
    const [categories, stock] = await Promise.all([categoriesOf(ctx.api), product === null ? {} : stockOf(ctx.api, product)]);
    const body = (
      <ProductEditor product={product} values={values} categories={categories} stock={stock} problem={problem} csrf={ctx.csrf} />
    );
    return render(c, ctx.who, ctx.csrf, product?.title ?? "New product", "/admin/products", body, problem === null ? 200 : problem.status);
  };

  app.get(
    "/admin/products/new",
    page((c, ctx) => editor(c, ctx, null, null)),
  );

  app.post(
    "/admin/products/new",
    page(async (c, ctx) => {
      const { values, body } = productBody(ctx.form);
      const created = await ctx.api<AdminProduct>("POST", "/admin/v1/products", body);
      if (!created.ok) return editor(c, ctx, null, created.problem, values);
      flash(c, { kind: "ok", text: `“${created.data.title}” created. Add images and stock below.` });
      return c.redirect(`/admin/products/${created.data.id}`, 303);
    }),
  );

  const productPath = (c: PageContext) => `/admin/v1/products/${encodeURIComponent(c.req.param("id") ?? "")}`;

  app.get(
    "/admin/products/:id",
    page(async (c, ctx) => {
      const product = await ctx.api<AdminProduct>("GET", productPath(c));
      if (!product.ok)
        return render(c, ctx.who, ctx.csrf, "Not found", "/admin/products", <p class="card empty">{problemText(product.problem)}</p>, 404);
      return editor(c, ctx, product.data, null);
    }),
  );

  app.post(
    "/admin/products/:id",
    page(async (c, ctx) => {
      const { values, body } = productBody(ctx.form);
      const saved = await ctx.api<AdminProduct>("PATCH", productPath(c), { ...body, status: values.status });
      if (saved.ok) return done(c, `/admin/products/${saved.data.id}`, saved, "Saved. Shoppers see the change within 10 seconds.");
      const current = await ctx.api<AdminProduct>("GET", productPath(c));
      return current.ok ? editor(c, ctx, current.data, saved.problem, values) : done(c, "/admin/products", saved, "");
    }),
  );

  app.post(
    "/admin/products/:id/archive",
    page(async (c, { api }) =>
      done(c, `/admin/products/${c.req.param("id")}`, await api("DELETE", productPath(c)), "Archived: shoppers no longer see it."),
    ),
  );

  app.post(
    "/admin/products/:id/images",
    page(async (c, { api, form }) => {
      const upload = new FormData();
      const file = form.file;
      if (file instanceof File) upload.set("file", file);
      upload.set("alt", text(form, "alt"));
      return done(c, `/admin/products/${c.req.param("id")}`, await api("POST", `${productPath(c)}/images`, upload), "Image uploaded.");
    }),
  );

  app.post(
    "/admin/products/:id/images/:key/delete",
    page(async (c, { api }) => {
      const removed = await api("DELETE", `${productPath(c)}/images/${encodeURIComponent(c.req.param("key") ?? "")}`);
      return done(c, `/admin/products/${c.req.param("id")}`, removed, "Image removed.");
    }),
  );

  app.post(
    "/admin/inventory/:sku/adjust",
    page(async (c, { api, form }) => {
      const sku = c.req.param("sku") ?? "";
      const delta = Number(text(form, "delta"));
      const adjusted = await api("POST", `/admin/v1/inventory/${encodeURIComponent(sku)}/adjustments`, {
        delta,
        reason: text(form, "reason"),
      });
      const back = `/admin/products/${encodeURIComponent(text(form, "productId"))}`;
      return done(c, back, adjusted, `Stock of ${sku} changed by ${delta > 0 ? "+" : ""}${delta}.`);
    }),
  );

  app.get(
    "/admin/orders",
    page(async (c, { api, who, csrf }) => {
      const filter: OrderFilter = { status: c.req.query("status") ?? "", from: c.req.query("from") ?? "", to: c.req.query("to") ?? "" };
      const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ""));
      const orders = await api<{ items: MerchantOrder[] }>("GET", `/admin/v1/orders?${query.toString()}`);
      const body = <OrdersPage orders={orders.ok ? orders.data.items : []} filter={filter} csrf={csrf} />;
      return render(c, who, csrf, "Orders", "/admin/orders", body, orders.status, orders.ok ? null : orders.problem);
    }),
  );

  // The platform admin's (the API says so: anyone else gets its 403 here).
  app.get(
    "/admin/operations",
    page(async (c, { api, who, csrf }) => {
      const range = c.req.query("range") === "day" ? "day" : "hour";
      const report = await api<OperationsReport>("GET", `/admin/v1/operations/metrics?range=${range}`);
      if (!report.ok)
        return render(
          c,
          who,
          csrf,
          "Operations",
          "/admin/operations",
          <p class="card empty">{problemText(report.problem)}</p>,
          report.status,
        );
      return render(c, who, csrf, "Operations", "/admin/operations", <OperationsPage report={report.data} />);
    }),
  );

  app.post(
    "/admin/orders/:id/ship",
    page(async (c, { api, form }) => {
      const shipped = await api("POST", `/admin/v1/orders/${encodeURIComponent(c.req.param("id") ?? "")}/shipments`, {
        carrier: text(form, "carrier"),
        trackingNumber: text(form, "trackingNumber"),
      });
      return done(c, "/admin/orders", shipped, `Order ${c.req.param("id")} shipped.`);
    }),
  );

  app.post(
    "/admin/shipments/:id/delivered",
    page(async (c, { api }) =>
      done(
        c,
        "/admin/orders",
        await api("POST", `/admin/v1/shipments/${encodeURIComponent(c.req.param("id") ?? "")}/delivered`),
        "Marked delivered.",
      ),
    ),
  );

  app.get(
    "/admin/returns",
    page(async (c, { api, who, csrf }) => {
      const returns = await api<z.infer<typeof ReturnList>>("GET", "/admin/v1/returns");
      const body = <ReturnsPage returns={returns.ok ? returns.data.items : []} csrf={csrf} />;
      return render(c, who, csrf, "Returns", "/admin/returns", body, returns.status, returns.ok ? null : returns.problem);
    }),
  );

  app.post(
    "/admin/returns/:id/:action{approve|receive}",
    page(async (c, { api }) => {
      const action = c.req.param("action");
      const moved = await api("POST", `/admin/v1/returns/${encodeURIComponent(c.req.param("id") ?? "")}/${action}`);
      return done(c, "/admin/returns", moved, action === "approve" ? "Return approved." : "Received: refunded and restocked.");
    }),
  );

  const keysPage = async (c: PageContext, ctx: { api: Api; who: Who; csrf: string }, created: CreatedApiKey | null) => {
    const keys = await ctx.api<{ items: ApiKeyView[] }>("GET", "/admin/v1/api-keys");
    if (!keys.ok)
      return render(
        c,
        ctx.who,
        ctx.csrf,
        "API keys",
        "/admin/api-keys",
        <p class="card empty">{problemText(keys.problem)}</p>,
        keys.status,
      );
    return render(
      c,
      ctx.who,
      ctx.csrf,
      "API keys",
      "/admin/api-keys",
      <ApiKeysPage keys={keys.data.items} created={created} csrf={ctx.csrf} />,
    );
  };

  app.get(
    "/admin/api-keys",
    page((c, ctx) => keysPage(c, ctx, null)),
  );

  app.post(
    "/admin/api-keys",
    page(async (c, ctx) => {
      const body = {
        name: text(ctx.form, "name"),
        scope: text(ctx.form, "scope"),
        quotaPerMinute: Number(text(ctx.form, "quotaPerMinute") || "120"),
      };
      const created = await ctx.api<CreatedApiKey>("POST", "/admin/v1/api-keys", body);
      if (!created.ok) return done(c, "/admin/api-keys", created, "");
      // The key is shown on this response only: it is stored nowhere it could be read again.
      return keysPage(c, ctx, created.data);
    }),
  );

  app.post(
    "/admin/api-keys/:id/revoke",
    page(async (c, { api }) =>
      done(c, "/admin/api-keys", await api("DELETE", `/admin/v1/api-keys/${encodeURIComponent(c.req.param("id") ?? "")}`), "Key revoked."),
    ),
  );

  const staffPage = async (c: PageContext, ctx: { api: Api; who: Who; csrf: string }, inviteLink: string | null) => {
    const members = await ctx.api<{ items: Member[] }>("GET", "/admin/v1/staff");
    if (!members.ok)
      return render(
        c,
        ctx.who,
        ctx.csrf,
        "Staff",
        "/admin/staff",
        <p class="card empty">{problemText(members.problem)}</p>,
        members.status,
      );
    return render(
      c,
      ctx.who,
      ctx.csrf,
      "Staff",
      "/admin/staff",
      <StaffPage members={members.data.items} inviteLink={inviteLink} csrf={ctx.csrf} self={ctx.who.email} />,
    );
  };

  app.get(
    "/admin/staff",
    page((c, ctx) => staffPage(c, ctx, null)),
  );

  app.post(
    "/admin/staff",
    page(async (c, ctx) => {
      const invited = await ctx.api<Invitation>("POST", "/admin/v1/staff", {
        email: text(ctx.form, "email"),
        role: text(ctx.form, "role"),
      });
      if (!invited.ok) return done(c, "/admin/staff", invited, "");
      const link = new URL(`/admin/invite?token=${encodeURIComponent(invited.data.inviteToken)}`, c.req.url).toString();
      return staffPage(c, ctx, link);
    }),
  );

  app.post(
    "/admin/staff/:id/remove",
    page(async (c, { api }) =>
      done(c, "/admin/staff", await api("DELETE", `/admin/v1/staff/${encodeURIComponent(c.req.param("id") ?? "")}`), "Removed."),
    ),
  );

  app.get(
    "/admin/reports",
    page(async (c, { api, who, csrf }) => {
      const to = c.req.query("to") || new Date().toISOString().slice(0, 10);
      const from = c.req.query("from") || new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10);
      const report = await api<SalesReport>("GET", `/admin/v1/reports/sales?${new URLSearchParams({ from, to }).toString()}`);
      if (!report.ok)
        return render(c, who, csrf, "Reports", "/admin/reports", <p class="card empty">{problemText(report.problem)}</p>, report.status);
      return render(c, who, csrf, "Reports", "/admin/reports", <ReportsPage report={report.data} />);
    }),
  );

  app.get(
    "/admin/reviews",
    page(async (c, { api, who, csrf }) => {
      const reviews = await api<{ items: AdminReview[] }>("GET", "/admin/v1/reviews");
      const body = <ReviewsPage reviews={reviews.ok ? reviews.data.items : []} csrf={csrf} />;
      return render(c, who, csrf, "Reviews", "/admin/reviews", body, reviews.status, reviews.ok ? null : reviews.problem);
    }),
  );

  app.post(
    "/admin/reviews/:id/:action{publish|hide}",
    page(async (c, { api }) => {
      const status = c.req.param("action") === "publish" ? "published" : "hidden";
      const moved = await api("PATCH", "/admin/v1/reviews", { id: c.req.param("id"), status });
      return done(c, "/admin/reviews", moved, status === "published" ? "Review published." : "Review hidden.");
    }),
  );

  return app;
}
