/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { CartView } from "#schema/cart.ts";
import type { Session } from "#schema/identity/dto.ts";
import type { OrderView } from "#schema/orders/dto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { problemText, RESHOWN_FORM_STATUS } from "#shared/web/form.ts";
import {
  cartRef,
  dataOr,
  forgetCart,
  forgetGuestOrder,
  guestOrderToken,
  rememberCart,
  type ShopContext,
  shopApi,
  shopSession,
} from "../context.ts";
import type { ShopKit } from "../shop-kit.tsx";
import { AccountPage, SignInPage } from "../views/account.tsx";

/** The guest order to claim at sign-in: only one this browser placed (its token is in the guest-orders cookie). */
const claimOf = (c: ShopContext, id: string | undefined): string | null =>
  id !== undefined && guestOrderToken(c, id) !== null ? id : null;

/** Only a path on this shop (never another site) may be where a sign-in sends the shopper next. */
function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?!\/)[A-Za-z0-9/_?=&.%-]*$/.test(next) ? next : "/account";
}

/** Signing in, registering, signing out, and the shopper's own page. */
export function accountPages(kit: ShopKit) {
  const app = new Hono<EdgeEnv<StorefrontEnv>>();

  const accountForm = (mode: "sign-in" | "register") =>
    kit.page(
      async (c, api) => {
        const next = safeNext(c.req.query("next"));
        const body = <SignInPage mode={mode} email="" name="" error={null} next={next} claim={claimOf(c, c.req.query("claim"))} />;
        return kit.html(c, api, { title: mode === "sign-in" ? "Sign in" : "Create account", body });
      },
      { anonymous: true },
    );
  app.get("/sign-in", accountForm("sign-in"));
  app.get("/register", accountForm("register"));

  const accountPost = (mode: "sign-in" | "register") =>
    kit.page(
      async (c, api) => {
        const f = await kit.form(c);
        const next = safeNext(f.next);
        const guest = cartRef(c);
        const cart = guest?.token ? { cart: { id: guest.id, token: guest.token } } : {};
        const device = shopSession.deviceToken(c);
        const body =
          mode === "sign-in"
            ? { email: f.email, password: f.password, ...cart, ...(device === undefined ? {} : { deviceToken: device }) }
            : { email: f.email, password: f.password, name: f.name, ...cart };
        const session = await api<Session>("POST", mode === "sign-in" ? "/v1/auth/login" : "/v1/auth/register", body);
        if (!session.ok) {
          const again = (
            <SignInPage
              mode={mode}
              email={f.email ?? ""}
              name={f.name ?? ""}
              error={problemText(session.problem)}
              next={next}
              claim={claimOf(c, f.claim)}
            />
          );
          return kit.html(c, api, { title: "Sign in", body: again, status: RESHOWN_FORM_STATUS });
        }
        shopSession.start(c, session.data);
        // The guest cart was merged into the shopper's own cart: from now on the cookie names that one.
        forgetCart(c);
        const own = await shopApi(c, kit.callApi, true)<CartView>("POST", "/v1/carts", undefined, {
          Authorization: `Bearer ${session.data.accessToken}`,
        });
        if (own.ok) rememberCart(c, { id: own.data.id, token: null });
        // A guest order placed before signing up comes along: its token (from the confirmation page) proves it.
        const claim = claimOf(c, f.claim);
        const token = claim === null ? null : guestOrderToken(c, claim);
        if (claim !== null && token !== null) {
          const bearer = { Authorization: `Bearer ${session.data.accessToken}`, "X-Order-Token": token };
          const claimed = await shopApi(c, kit.callApi, true)("POST", `/v1/orders/${encodeURIComponent(claim)}/claim`, undefined, bearer);
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
    kit.page(async (c, api) => {
      const refreshToken = shopSession.end(c);
      forgetCart(c);
      if (refreshToken !== undefined) await api("POST", "/v1/auth/logout", { refreshToken });
      return c.redirect("/", 303);
    }),
  );

  app.get(
    "/account",
    kit.page(async (c, api) => {
      const who = shopSession.who(c);
      if (who === null) return c.redirect("/sign-in?next=/account", 303);
      const orders = await api<{ items: OrderView[] }>("GET", "/v1/orders");
      return kit.html(c, api, {
        title: "Your account",
        body: <AccountPage name={who.name} email={who.email} orders={dataOr(orders, { items: [] }).items} />,
      });
    }),
  );

  return app;
}
