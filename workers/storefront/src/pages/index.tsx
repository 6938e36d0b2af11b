import type { CallApi } from "#shared/web/api.ts";
import { sitePages } from "#shared/web/site-pages.ts";
import { accountPages } from "./areas/account.tsx";
import { cartPages } from "./areas/cart.tsx";
import { catalogPages } from "./areas/catalog.tsx";
import { checkoutPages } from "./areas/checkout.tsx";
import { orderPages } from "./areas/orders.tsx";
import { shopSession } from "./context.ts";
import { shopKit } from "./shop-kit.tsx";
import { SHOP_CSS, SHOP_CSS_PATH } from "./styles.ts";

// Paths the API and the platform own: a browser asking for one that does not exist gets their problem+json.
const NOT_PAGES = /^\/(v1|docs|health|healthz|dev|\.well-known)(\/|$)/;

/** The shop's pages: server-rendered, no client script, every form a plain post (they work without JavaScript). */
export function shopRoutes(callApi: CallApi<StorefrontEnv>) {
  const kit = shopKit(callApi);
  return sitePages<StorefrontEnv>({
    stylesheet: { path: SHOP_CSS_PATH, css: SHOP_CSS },
    areas: [catalogPages(kit), cartPages(kit), checkoutPages(kit), orderPages(kit), accountPages(kit)],
    errors: {
      ownsPath: (path) => !NOT_PAGES.test(path),
      render: kit.problemPage,
      signIn: (c) => {
        shopSession.end(c);
        return c.redirect(`/sign-in?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
      },
    },
  });
}
