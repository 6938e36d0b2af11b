/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { ProductDetail, ProductPage, ProductSummary } from "#schema/catalog/dto.ts";
import type { ReviewPage } from "#schema/catalog/review-dto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { RESHOWN_FORM_STATUS } from "#shared/web/form.ts";
import { categoriesOf, dataOr, type ShopApi, type ShopContext } from "../context.ts";
import { PRODUCT, PUBLIC, param, productPages, publicPages, type ShopKit } from "../shop-kit.tsx";
import { type AddToCartAttempt, Home, Listing, type ListingState, ProductView } from "../views/catalog.tsx";

/** A product's page; with `attempt`, the add-to-cart that failed, shown again with its message by the form. */
export async function productPage(
  kit: ShopKit,
  c: ShopContext,
  api: ShopApi,
  slug: string,
  attempt: AddToCartAttempt | null,
): Promise<Response> {
  const [product, reviews] = await Promise.all([
    api<ProductDetail & { recommendations: ProductSummary[] }>("GET", `/v1/products/${encodeURIComponent(slug)}`),
    api<ReviewPage>("GET", `/v1/products/${encodeURIComponent(slug)}/reviews?limit=10`),
  ]);
  if (!product.ok) return kit.notFound(c);
  return kit.html(c, api, {
    title: product.data.title,
    body: <ProductView product={product.data} reviews={reviews.ok ? reviews.data : null} attempt={attempt} />,
    ...(attempt === null ? { cache: PRODUCT } : { status: RESHOWN_FORM_STATUS }),
  });
}

/** The catalogue: home, departments, search and product pages, the same for everyone (so cached). */
export function catalogPages(kit: ShopKit) {
  const app = new Hono<EdgeEnv<StorefrontEnv>>();

  app.get(
    "/",
    kit.page(
      async (c, api) =>
        kit.cachedPage(c, publicPages, "/", async () => {
          const [trending, newest] = await Promise.all([
            api<{ items: ProductSummary[] }>("GET", "/v1/recommendations?for=trending&limit=8"),
            api<ProductPage>("GET", "/v1/products?limit=12&inStock=true"),
          ]);
          return kit.html(c, api, {
            title: "Shop",
            cache: PUBLIC,
            body: <Home trending={dataOr(trending, { items: [] }).items} newest={dataOr(newest, { items: [], nextCursor: null }).items} />,
          });
        }),
      { anonymous: true },
    ),
  );

  /** A listing (a category or a search) with its facets: the URL's filters go to the API as they are. */
  const listing = async (c: ShopContext, api: ShopApi, base: URLSearchParams, state: Omit<ListingState, "params">) => {
    const params = new URLSearchParams(new URL(c.req.url).search);
    const query = new URLSearchParams(base);
    query.set("facets", "true");
    query.set("limit", "24");
    for (const [k, v] of params) {
      if (v === "") continue;
      if (k === "price") {
        const [min, max] = v.split("-");
        if (min) query.set("priceMin", min);
        if (max) query.set("priceMax", max);
      } else if (["brand", "ratingMin", "inStock", "cursor"].includes(k) || k.startsWith("attr.")) query.append(k, v);
    }
    const page = await api<ProductPage>("GET", `/v1/products?${query.toString()}`);
    if (!page.ok && page.status === 404) return kit.notFound(c);
    const body = <Listing page={dataOr(page, { items: [], nextCursor: null })} state={{ ...state, params }} />;
    return kit.html(c, api, {
      title: state.title,
      cache: page.ok ? PUBLIC : "no-store",
      body,
      status: page.ok ? 200 : page.status,
      q: state.q,
    });
  };

  app.get(
    "/c/:slug",
    kit.page(
      async (c, api) => {
        const slug = param(c, "slug");
        const categories = await categoriesOf(api);
        const flat = categories.flatMap((n) => [n, ...n.children]);
        const name = flat.find((n) => n.slug === slug)?.name;
        if (name === undefined) return kit.notFound(c);
        const url = new URL(c.req.url);
        return kit.cachedPage(c, publicPages, url.pathname + url.search, () =>
          listing(c, api, new URLSearchParams({ category: slug }), { path: `/c/${slug}`, title: name, q: "" }),
        );
      },
      { anonymous: true },
    ),
  );

  app.get(
    "/search",
    kit.page(
      async (c, api) => {
        const q = (c.req.query("q") ?? "").trim().slice(0, 100);
        const url = new URL(c.req.url);
        return kit.cachedPage(c, publicPages, url.pathname + url.search, () =>
          listing(c, api, new URLSearchParams(q === "" ? {} : { q }), {
            path: "/search",
            title: q === "" ? "All products" : `Results for “${q}”`,
            q,
          }),
        );
      },
      { anonymous: true },
    ),
  );

  app.get(
    "/p/:slug",
    kit.page(
      async (c, api) => {
        const slug = param(c, "slug");
        return kit.cachedPage(c, productPages, slug, () => productPage(kit, c, api, slug, null));
      },
      { anonymous: true },
    ),
  );

  return app;
}
