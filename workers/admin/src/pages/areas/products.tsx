/** @jsxImportSource hono/jsx */
import type { z } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { AdminProduct, AdminProductPage } from "#schema/catalog/admin-dto.ts";
import type { CategoryNode, CategoryTree } from "#schema/catalog/dto.ts";
import type { ReturnList, ShipmentList } from "#schema/fulfillment/dto.ts";
import type { Problem } from "#schema/problem.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { RESHOWN_FORM_STATUS } from "#shared/web/form.ts";
import type { Api } from "../api.ts";
import { type DashboardKit, type PageCtx, pathParam } from "../dashboard-kit.tsx";
import { editorValues, productBody } from "../product-form.ts";
import { flash, type PageContext } from "../session.ts";
import { Overview } from "../views/people.tsx";
import { type CategoryOption, ProductEditor, type StockInfo } from "../views/product-editor.tsx";
import { ProductList } from "../views/products.tsx";

function flatten(nodes: CategoryNode[], depth = 0): CategoryOption[] {
  return nodes.flatMap((n) => [{ slug: n.slug, label: `${"— ".repeat(depth)}${n.name}` }, ...flatten(n.children, depth + 1)]);
}

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

const productPath = (c: PageContext) => `/admin/v1/products/${pathParam(c, "id")}`;

/** The overview, the catalogue (list, editor, images) and stock adjustments. */
export function productPages(kit: DashboardKit) {
  const app = new Hono<EdgeEnv<AdminEnv>>();

  app.get(
    "/admin",
    kit.page(async (c, ctx) => {
      const [products, shipments, returns] = await Promise.all([
        ctx.api<AdminProductPage>("GET", "/admin/v1/products?limit=100"),
        ctx.api<z.infer<typeof ShipmentList>>("GET", "/admin/v1/shipments?status=pending"),
        ctx.api<z.infer<typeof ReturnList>>("GET", "/admin/v1/returns"),
      ]);
      const count = products.ok ? `${products.data.items.length}${products.data.nextCursor === null ? "" : "+"}` : "—";
      const open = returns.ok ? returns.data.items.filter((r) => r.status === "requested" || r.status === "approved").length : 0;
      const overview = (
        <Overview
          products={count}
          pendingShipments={shipments.ok ? shipments.data.items.length : 0}
          openReturns={open}
          name={ctx.who.name}
        />
      );
      return kit.render(c, ctx, { title: "Overview", current: "/admin", body: overview });
    }),
  );

  app.get(
    "/admin/products",
    kit.page(async (c, ctx) => {
      const q = c.req.query("q") ?? "";
      const status = c.req.query("status") ?? "";
      const query = new URLSearchParams({ limit: "25" });
      if (q !== "") query.set("q", q);
      if (status !== "") query.set("status", status);
      const cursor = c.req.query("cursor");
      if (cursor !== undefined) query.set("cursor", cursor);
      const list = await ctx.api<AdminProductPage>("GET", `/admin/v1/products?${query.toString()}`);
      const body = <ProductList page={list.ok ? list.data : { items: [], nextCursor: null }} q={q} status={status} />;
      return kit.render(c, ctx, {
        title: "Products",
        current: "/admin/products",
        body,
        ...kit.statusOf(list),
      });
    }),
  );

  /** The editor; with `problem`, the form the API refused, shown again with what was typed. */
  const editor = async (
    c: PageContext,
    ctx: PageCtx,
    product: AdminProduct | null,
    problem: Problem | null,
    values = editorValues(product),
  ) => {
    const [categories, stock] = await Promise.all([categoriesOf(ctx.api), product === null ? {} : stockOf(ctx.api, product)]);
    const body = (
      <ProductEditor product={product} values={values} categories={categories} stock={stock} problem={problem} csrf={ctx.csrf} />
    );
    const status = problem === null ? 200 : RESHOWN_FORM_STATUS;
    return kit.render(c, ctx, { title: product?.title ?? "New product", current: "/admin/products", body, status });
  };

  app.get(
    "/admin/products/new",
    kit.page((c, ctx) => editor(c, ctx, null, null)),
  );

  app.post(
    "/admin/products/new",
    kit.page(async (c, ctx) => {
      const { values, body } = productBody(ctx.form);
      const created = await ctx.api<AdminProduct>("POST", "/admin/v1/products", body);
      if (!created.ok) return editor(c, ctx, null, created.problem, values);
      flash(c, { kind: "ok", text: `“${created.data.title}” created. Add images and stock below.` });
      return c.redirect(`/admin/products/${created.data.id}`, 303);
    }),
  );

  app.get(
    "/admin/products/:id",
    kit.page(async (c, ctx) => {
      const product = await ctx.api<AdminProduct>("GET", productPath(c));
      if (!product.ok) return kit.refusedPage(c, ctx, "Not found", "/admin/products", { status: 404, problem: product.problem });
      return editor(c, ctx, product.data, null);
    }),
  );

  app.post(
    "/admin/products/:id",
    kit.page(async (c, ctx) => {
      const { values, body } = productBody(ctx.form);
      const saved = await ctx.api<AdminProduct>("PATCH", productPath(c), { ...body, status: values.status });
      if (saved.ok) return kit.done(c, `/admin/products/${saved.data.id}`, saved, "Saved. Shoppers see the change within 10 seconds.");
      const current = await ctx.api<AdminProduct>("GET", productPath(c));
      return current.ok ? editor(c, ctx, current.data, saved.problem, values) : kit.done(c, "/admin/products", saved, "");
    }),
  );

  app.post(
    "/admin/products/:id/archive",
    kit.page(async (c, { api }) =>
      kit.done(c, `/admin/products/${c.req.param("id")}`, await api("DELETE", productPath(c)), "Archived: shoppers no longer see it."),
    ),
  );

  app.post(
    "/admin/products/:id/images",
    kit.page(async (c, { api, form, files }) => {
      const upload = new FormData();
      if (files.file !== undefined) upload.set("file", files.file);
      upload.set("alt", form.alt ?? "");
      return kit.done(c, `/admin/products/${c.req.param("id")}`, await api("POST", `${productPath(c)}/images`, upload), "Image uploaded.");
    }),
  );

  app.post(
    "/admin/products/:id/images/:key/delete",
    kit.page(async (c, { api }) => {
      const removed = await api("DELETE", `${productPath(c)}/images/${pathParam(c, "key")}`);
      return kit.done(c, `/admin/products/${c.req.param("id")}`, removed, "Image removed.");
    }),
  );

  app.post(
    "/admin/inventory/:sku/adjust",
    kit.page(async (c, { api, form }) => {
      const sku = c.req.param("sku") ?? "";
      const delta = Number(form.delta ?? "");
      const adjusted = await api("POST", `/admin/v1/inventory/${encodeURIComponent(sku)}/adjustments`, {
        delta,
        reason: form.reason ?? "",
      });
      const back = `/admin/products/${encodeURIComponent(form.productId ?? "")}`;
      return kit.done(c, back, adjusted, `Stock of ${sku} changed by ${delta > 0 ? "+" : ""}${delta}.`);
    }),
  );

  return app;
}
