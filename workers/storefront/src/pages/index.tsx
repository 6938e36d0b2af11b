/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { CartView } from "../../../../schema/cart.ts";
import type { ProductDetail, ProductPage, ProductSummary } from "../../../../schema/catalog/dto.ts";
import type { ReviewPage } from "../../../../schema/catalog/review-dto.ts";
import type { OrderView, PlacedOrder, QuoteView } from "../../../../schema/orders/dto.ts";
import type { Problem } from "../../../../schema/problem.ts";
import type { EdgeEnv } from "../../../shared/src/edge-app.ts";
import { errorFields } from "../../../shared/src/logger.ts";
import { TtlCache } from "../../../shared/src/ttl-cache.ts";
import { type CallApi, SignedOut } from "../../../shared/src/web/api.ts";
import {
  type CartRef,
  cartRef,
  categoriesOf,
  dataOr,
  forgetCart,
  forgetGuestOrder,
  guestOrderToken,
  rememberCart,
  rememberGuestOrder,
  type ShopApi,
  type ShopContext,
  sameOrigin,
  shopApi,
  shopSession,
} from "./context.ts";
import { Page } from "./layout.tsx";
import { STRIPE_CHECKOUT_CSP, STRIPE_CHECKOUT_JS, STRIPE_CHECKOUT_JS_PATH, STRIPE_JS_URL } from "./stripe-checkout.ts";
import { SHOP_CSS, SHOP_CSS_PATH } from "./styles.ts";
import { AccountPage, ErrorPage, SignInPage } from "./views/account.tsx";
import { CartPage, type CheckoutForm, CheckoutPage, OrderPage } from "./views/buying.tsx";
import { Home, Listing, type ListingState, ProductView } from "./views/catalog.tsx";

// Pages allow nothing from elsewhere and run no script: styles and images from this origin only.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
// Pages that are the same for everyone are cached like the API's reads: in the isolate (fresh, then served stale
// while one request renders it again) and downstream (max-age). A merchant's change shows within 10 s; the
// product page's availability is at most 4 s old (the API's is live, and checkout checks again). Anything
// personal is never stored.
const PUBLIC = "public, max-age=4";
const PRODUCT = "public, max-age=2";
type Rendered = { status: number; body: string; cache: string };
const publicPages = new TtlCache<Rendered>(3_000, 1_000, 3_000);
const productPages = new TtlCache<Rendered>(2_000, 5_000, 2_000);

// A form shown again with what went wrong is a page like any other (200): the problem is in it, in words, next to
// what was typed. Error statuses are for pages that are errors (404, 500).
type Render = {
  title: string;
  body: Child;
  status?: number;
  cache?: string;
  current?: string;
  q?: string;
  /** A page that loads scripts says so, with the policy that lets exactly those in. */
  scripts?: { urls: string[]; csp: string };
};

/** The shop's pages: server-rendered, no client script, every form a plain post (they work without JavaScript). */
export function shopRoutes(callApi: CallApi<StorefrontEnv>) {
  const app = new Hono<EdgeEnv<StorefrontEnv>>();

  const html = async (c: ShopContext, api: ShopApi, r: Render): Promise<Response> => {
    const categories = await categoriesOf(api);
    c.header("Content-Security-Policy", r.scripts?.csp ?? CSP);
    c.header("Referrer-Policy", "same-origin");
    c.header("Cache-Control", r.cache ?? "no-store");
    const flash = r.cache === undefined ? shopSession.takeFlash(c) : null;
    return c.html(
      <Page title={r.title} categories={categories} current={r.current} q={r.q} flash={flash} scripts={r.scripts?.urls}>
        {r.body}
      </Page>,
      (r.status ?? 200) as 200,
    );
  };

  /** A page that is the same for everyone, from the isolate's cache when it has it (only a 200 is kept). */
  const cachedPage = async (c: ShopContext, cache: TtlCache<Rendered>, key: string, render: () => Promise<Response>): Promise<Response> => {
    const page = await cache.getOrLoad(
      key,
      async () => {
        const res = await render();
        return { status: res.status, body: await res.text(), cache: res.headers.get("Cache-Control") ?? "no-store" };
      },
      (r) => r.status === 200,
    );
    c.header("Content-Security-Policy", CSP);
    c.header("Referrer-Policy", "same-origin");
    c.header("Cache-Control", page.cache);
    return c.html(page.body, page.status as 200);
  };

  /** Every page: its errors become the friendly 500 page with the request id; an ended session, a sign-in. */
  const page =
    (handler: (c: ShopContext, api: ShopApi) => Promise<Response>, options: { anonymous?: boolean } = {}) =>
    async (c: ShopContext): Promise<Response> => {
      if (c.req.method === "POST" && !sameOrigin(c)) return c.text("This form did not come from this shop.", 403);
      const api = shopApi(c, callApi, options.anonymous === true);
      try {
        return await handler(c, api);
      } catch (err) {
        if (err instanceof SignedOut) {
          shopSession.end(c);
          return c.redirect(`/sign-in?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
        }
        c.get("log").error("page failed", { path: c.req.path, ...errorFields(err) });
        return html(c, shopApi(c, callApi, true), {
          title: "Something went wrong",
          body: <ErrorPage status={500} requestId={c.get("requestId")} />,
          status: 500,
        });
      }
    };

  const form = async (c: ShopContext): Promise<Record<string, string>> => {
    const body = await c.req.parseBody({ all: true });
    return Object.fromEntries(
      Object.entries(body).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.filter((x) => typeof x === "string").join(",") : typeof v === "string" ? v.trim() : "",
      ]),
    );
  };

  app.get(STRIPE_CHECKOUT_JS_PATH, (c) => {
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    return c.body(STRIPE_CHECKOUT_JS);
  });

  app.get(SHOP_CSS_PATH, (c) => {
    c.header("Content-Type", "text/css; charset=utf-8");
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    return c.body(SHOP_CSS);
  });

  app.get(
    "/",
    page(
      async (c, api) =>
        cachedPage(c, publicPages, "/", async () => {
          const [trending, newest] = await Promise.all([
            api<{ items: ProductSummary[] }>("GET", "/v1/recommendations?for=trending&limit=8"),
            api<ProductPage>("GET", "/v1/products?limit=12&inStock=true"),
          ]);
          return html(c, api, {
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
    if (!page.ok && page.status === 404) return notFound(c, api);
    const body = <Listing page={dataOr(page, { items: [], nextCursor: null })} state={{ ...state, params }} />;
    return html(c, api, {
      title: state.title,
      cache: page.ok ? PUBLIC : "no-store",
      body,
      status: page.ok ? 200 : page.status,
      q: state.q,
    });
  };

  app.get(
    "/c/:slug",
    page(
      async (c, api) => {
        const slug = param(c, "slug");
        const categories = await categoriesOf(api);
        const flat = categories.flatMap((n) => [n, ...n.children]);
        const name = flat.find((n) => n.slug === slug)?.name;
        if (name === undefined) return notFound(c, api);
        const url = new URL(c.req.url);
        return cachedPage(c, publicPages, url.pathname + url.search, () =>
          listing(c, api, new URLSearchParams({ category: slug }), { path: `/c/${slug}`, title: name, q: "" }),
        );
      },
      { anonymous: true },
    ),
  );

  app.get(
    "/search",
    page(
      async (c, api) => {
        const q = (c.req.query("q") ?? "").trim().slice(0, 100);
        const url = new URL(c.req.url);
        return cachedPage(c, publicPages, url.pathname + url.search, () =>
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

  const productPage = async (c: ShopContext, api: ShopApi, slug: string, problem: Problem | null): Promise<Response> => {
    const [product, reviews] = await Promise.all([
      api<ProductDetail & { recommendations: ProductSummary[] }>("GET", `/v1/products/${encodeURIComponent(slug)}`),
      api<ReviewPage>("GET", `/v1/products/${encodeURIComponent(slug)}/reviews?limit=10`),
    ]);
    if (!product.ok) return notFound(c, api);
    const body = (
      <>
        {problem === null ? null : (
          <div class="notice bad" role="alert">
            {problem.detail ?? problem.title}
          </div>
        )}
        <ProductView product={product.data} reviews={reviews.ok ? reviews.data : null} />
      </>
    );
    return html(c, api, {
      title: product.data.title,
      body,
      cache: problem === null ? PRODUCT : "no-store",
    });
  };

  app.get(
    "/p/:slug",
    page(
      async (c, api) => {
        const slug = param(c, "slug");
        return cachedPage(c, productPages, slug, () => productPage(c, api, slug, null));
      },
      { anonymous: true },
    ),
  );

  /** The shopper's cart: the cookie's, or a new one (guests get a token, signed-in shoppers their own cart). */
  const openCart = async (c: ShopContext, api: ShopApi, create: boolean): Promise<{ ref: CartRef; cart: CartView } | null> => {
    const ref = cartRef(c);
    if (ref !== null) {
      const cart = await api<CartView>("GET", `/v1/carts/${ref.id}`, undefined, ref.token ? { "X-Cart-Token": ref.token } : {});
      if (cart.ok) return { ref, cart: cart.data };
    }
    if (!create && shopSession.who(c) === null) return null;
    const made = await api<CartView & { token: string | null }>("POST", "/v1/carts");
    if (!made.ok) throw new Error(`cart not opened: ${made.problem.detail ?? made.status}`);
    const fresh = { id: made.data.id, token: made.data.token };
    rememberCart(c, fresh);
    return { ref: fresh, cart: made.data };
  };
  const cartHeaders = (ref: CartRef): Record<string, string> => (ref.token ? { "X-Cart-Token": ref.token } : {});

  app.post(
    "/cart/add",
    page(async (c, api) => {
      const f = await form(c);
      const opened = await openCart(c, api, true);
      if (opened === null) return c.redirect("/cart", 303);
      const added = await api<CartView>(
        "POST",
        `/v1/carts/${opened.ref.id}/items`,
        { sku: f.sku ?? "", quantity: Number(f.quantity || "1") },
        cartHeaders(opened.ref),
      );
      if (added.ok) {
        shopSession.flash(c, { kind: "ok", text: "Added to your cart." });
        return c.redirect("/cart", 303);
      }
      const slug = await slugOf(api, f.sku ?? "");
      return slug === null ? c.redirect("/cart", 303) : productPage(c, api, slug, added.problem);
    }),
  );

  const slugOf = async (api: ShopApi, sku: string): Promise<string | null> => {
    const found = await api<ProductPage>("GET", `/v1/products?q=${encodeURIComponent(sku)}&limit=1`);
    return found.ok ? (found.data.items[0]?.slug ?? null) : null;
  };

  app.get(
    "/cart",
    page(async (c, api) => {
      const opened = await openCart(c, api, false);
      return html(c, api, { title: "Cart", body: <CartPage cart={opened?.cart ?? null} /> });
    }),
  );

  const lineChange = (method: "PATCH" | "DELETE") =>
    page(async (c, api) => {
      const f = await form(c);
      const opened = await openCart(c, api, false);
      if (opened === null) return c.redirect("/cart", 303);
      const path = `/v1/carts/${opened.ref.id}/items/${encodeURIComponent(f.sku ?? "")}`;
      const changed = await api(method, path, method === "PATCH" ? { quantity: Number(f.quantity) } : undefined, cartHeaders(opened.ref));
      shopSession.flash(
        c,
        changed.ok
          ? { kind: "ok", text: method === "PATCH" ? "Quantity updated." : "Removed." }
          : { kind: "bad", text: changed.problem.detail ?? changed.problem.title },
      );
      return c.redirect("/cart", 303);
    });
  app.post("/cart/update", lineChange("PATCH"));
  app.post("/cart/remove", lineChange("DELETE"));

  const checkoutPage = async (c: ShopContext, api: ShopApi, values: CheckoutForm, problem: Problem | null) => {
    const opened = await openCart(c, api, false);
    if (opened === null || opened.cart.items.length === 0) return c.redirect("/cart", 303);
    const quote = await api<QuoteView>(
      "GET",
      `/v1/checkout/quote?cartId=${opened.ref.id}&country=${encodeURIComponent(values.country || "US")}`,
      undefined,
      cartHeaders(opened.ref),
    );
    const paying = await c.env.PAYMENTS.checkoutMethod();
    const body = (
      <CheckoutPage
        cart={opened.cart}
        quote={quote.ok ? quote.data : null}
        form={values}
        problem={problem}
        idempotencyKey={values.idempotencyKey || crypto.randomUUID()}
        paying={paying}
      />
    );
    const scripts = paying.method === "stripe" ? { urls: [STRIPE_JS_URL, STRIPE_CHECKOUT_JS_PATH], csp: STRIPE_CHECKOUT_CSP } : undefined;
    return html(c, api, { title: "Checkout", body, ...(scripts ? { scripts } : {}) });
  };

  app.get(
    "/checkout",
    page(async (c, api) => checkoutPage(c, api, { email: shopSession.who(c)?.email ?? "", country: "US" }, null)),
  );

  app.post(
    "/checkout",
    page(async (c, api) => {
      const f = await form(c);
      const opened = await openCart(c, api, false);
      if (opened === null) return c.redirect("/cart", 303);
      const body = {
        cartId: opened.ref.id,
        email: f.email,
        shippingAddress: { name: f.name, line1: f.line1, city: f.city, postalCode: f.postalCode, country: f.country },
        payment: paymentOf(f),
        ...(f.installments ? { installments: { months: Number(f.installments) } } : {}),
        ...(f.warranty ? { warranties: f.warranty.split(",").map((w) => ({ sku: w.split(":")[0], planId: w.split(":")[1] })) } : {}),
      };
      const placed = await api<PlacedOrder>("POST", "/v1/checkout", body, {
        ...cartHeaders(opened.ref),
        "Idempotency-Key": f.idempotencyKey || crypto.randomUUID(),
      });
      if (!placed.ok) {
        // What was typed stays, but never the card number or its security code (a page is no place for them);
        // a new key, since this attempt is settled.
        const { cardNumber: _number, cvc: _cvc, idempotencyKey: _key, paymentMethodId: _method, ...kept } = f;
        return checkoutPage(c, api, kept, placed.problem);
      }
      const token = placed.data.orderToken;
      if (token !== undefined) rememberGuestOrder(c, placed.data.order.id, token);
      return c.redirect(`/orders/${placed.data.order.id}?placed=1`, 303);
    }),
  );

  const orderHeaders = (c: ShopContext): Record<string, string> => {
    const t = guestOrderToken(c, param(c, "id"));
    return t ? { "X-Order-Token": t } : {};
  };

  app.get(
    "/orders/:id",
    page(async (c, api) => {
      const order = await api<OrderView>("GET", `/v1/orders/${encodeURIComponent(param(c, "id"))}`, undefined, orderHeaders(c));
      if (!order.ok) return notFound(c, api);
      const returnable = order.data.shipments.some((s) => s.status === "delivered");
      const body = (
        <OrderPage
          order={order.data}
          placed={c.req.query("placed") === "1"}
          guest={guestOrderToken(c, order.data.id) !== null}
          returnable={returnable}
        />
      );
      return html(c, api, { title: `Order ${order.data.id}`, body });
    }),
  );

  app.get(
    "/orders/:id/invoice",
    page(async (c, api) => {
      const part = c.req.query("part") ?? "";
      const headers = new Headers(orderHeaders(c));
      const token = shopSession.accessToken(c);
      if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
      const url = new URL(`/v1/orders/${encodeURIComponent(param(c, "id"))}/invoice?part=${encodeURIComponent(part)}`, c.req.url);
      const res = await callApi(new Request(url, { headers }), c.env, c.executionCtx);
      if (!res.ok) return notFound(c, api);
      return new Response(res.body, {
        headers: {
          "Content-Type": res.headers.get("Content-Type") ?? "text/html",
          "Cache-Control": "no-store",
          "Content-Security-Policy": CSP,
        },
      });
    }),
  );

  app.post(
    "/orders/:id/returns",
    page(async (c, api) => {
      const f = await form(c);
      const id = encodeURIComponent(param(c, "id"));
      const asked = await api(
        "POST",
        `/v1/orders/${id}/returns`,
        { lines: [{ sku: f.sku, quantity: Number(f.quantity || "1") }], reason: f.reason },
        orderHeaders(c),
      );
      shopSession.flash(
        c,
        asked.ok
          ? { kind: "ok", text: "Return requested: the merchant will confirm it by email." }
          : { kind: "bad", text: asked.problem.detail ?? asked.problem.title },
      );
      return c.redirect(`/orders/${id}`, 303);
    }),
  );

  const accountForm = (mode: "sign-in" | "register") =>
    page(
      async (c, api) => {
        const next = safeNext(c.req.query("next"));
        const body = <SignInPage mode={mode} email="" name="" error={null} next={next} claim={claimOf(c, c.req.query("claim"))} />;
        return html(c, api, { title: mode === "sign-in" ? "Sign in" : "Create account", body });
      },
      { anonymous: true },
    );
  app.get("/sign-in", accountForm("sign-in"));
  app.get("/register", accountForm("register"));

  const accountPost = (mode: "sign-in" | "register") =>
    page(
      async (c, api) => {
        const f = await form(c);
        const next = safeNext(f.next);
        const guest = cartRef(c);
        const cart = guest?.token ? { cart: { id: guest.id, token: guest.token } } : {};
        const device = shopSession.deviceToken(c);
        const body =
          mode === "sign-in"
            ? { email: f.email, password: f.password, ...cart, ...(device === undefined ? {} : { deviceToken: device }) }
            : { email: f.email, password: f.password, name: f.name, ...cart };
        const session = await api<import("../../../../schema/identity/dto.ts").Session>(
          "POST",
          mode === "sign-in" ? "/v1/auth/login" : "/v1/auth/register",
          body,
        );
        if (!session.ok) {
          const error = session.problem.detail ?? session.problem.title;
          const again = (
            <SignInPage mode={mode} email={f.email ?? ""} name={f.name ?? ""} error={error} next={next} claim={claimOf(c, f.claim)} />
          );
          return html(c, api, { title: "Sign in", body: again });
        }
        shopSession.start(c, session.data);
        // The guest cart was merged into the shopper's own cart: from now on the cookie names that one.
        forgetCart(c);
        const own = await shopApi(c, callApi, true)<CartView>("POST", "/v1/carts", undefined, {
          Authorization: `Bearer ${session.data.accessToken}`,
        });
        if (own.ok) rememberCart(c, { id: own.data.id, token: null });
        // A guest order placed before signing up comes along: its token (from the confirmation page) proves it.
        const claim = claimOf(c, f.claim);
        const token = claim === null ? null : guestOrderToken(c, claim);
        if (claim !== null && token !== null) {
          const bearer = { Authorization: `Bearer ${session.data.accessToken}`, "X-Order-Token": token };
          const claimed = await shopApi(c, callApi, true)("POST", `/v1/orders/${encodeURIComponent(claim)}/claim`, undefined, bearer);
          if (claimed.ok) {
            forgetGuestOrder(c, claim);
            shopSession.flash(c, { kind: "ok", text: `Order ${claim} is now in your account.` });
          }
        }
        return c.redirect(next, 303);
      },
      { anonymous: true },
    );
  app.post("/sign-in", accountPost("sign-in"));
  app.post("/register", accountPost("register"));

  app.post(
    "/sign-out",
    page(async (c, api) => {
      const refreshToken = shopSession.end(c);
      forgetCart(c);
      if (refreshToken !== undefined) await api("POST", "/v1/auth/logout", { refreshToken });
      return c.redirect("/", 303);
    }),
  );

  app.get(
    "/account",
    page(async (c, api) => {
      const who = shopSession.who(c);
      if (who === null) return c.redirect("/sign-in?next=/account", 303);
      const orders = await api<{ items: OrderView[] }>("GET", "/v1/orders");
      return html(c, api, {
        title: "Your account",
        body: <AccountPage name={who.name} email={who.email} orders={dataOr(orders, { items: [] }).items} />,
      });
    }),
  );

  const notFound = (c: ShopContext, api: ShopApi) =>
    html(c, api, { title: "Not found", body: <ErrorPage status={404} requestId={c.get("requestId")} />, status: 404 });

  // Any other path a browser asks for: the friendly 404 page. API paths, and clients that do not ask for HTML,
  // keep the problem+json 404 every Worker answers.
  app.get("*", async (c, next) => {
    if (/^\/(v1|docs|health|healthz|dev|\.well-known)(\/|$)/.test(c.req.path) || !(c.req.header("Accept") ?? "").includes("text/html"))
      return next();
    return notFound(c, shopApi(c, callApi, true));
  });

  return app;
}

/**
 * The form's payment as the API takes it: a Stripe PaymentMethod id when Stripe.js made one (the card never came
 * here), else the card fields, which only the test provider accepts.
 */
function paymentOf(f: Record<string, string>) {
  if (f.paymentMethodId) return { method: "stripe", paymentMethodId: f.paymentMethodId };
  const [month, year] = (f.expiry ?? "").split("/").map((s) => Number(s.trim()));
  return {
    method: "card",
    card: {
      number: (f.cardNumber ?? "").replaceAll(/\s/g, ""),
      expMonth: month,
      expYear: year !== undefined && year < 100 ? 2000 + year : year,
      cvc: f.cvc,
    },
  };
}

/** A path parameter (the page wrapper does not carry the route's path types). */
const param = (c: ShopContext, name: string): string => c.req.param(name) ?? "";

/** The guest order to claim at sign-in: only one this browser placed (its token is in the guest-orders cookie). */
const claimOf = (c: ShopContext, id: string | undefined): string | null =>
  id !== undefined && guestOrderToken(c, id) !== null ? id : null;

/** Only a path on this shop (never another site) may be where a sign-in sends the shopper next. */
function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?!\/)[A-Za-z0-9/_?=&.%-]*$/.test(next) ? next : "/account";
}
