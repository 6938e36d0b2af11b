/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import { z } from "zod";
import type { CartView } from "#schema/cart.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { checkForm, problemText } from "#shared/web/form.ts";
import { shopSession } from "../context.ts";
import type { ShopKit } from "../shop-kit.tsx";
import { cartHeaders, openCart } from "../shopper-cart.ts";
import { CartPage } from "../views/buying.tsx";
import { productPage } from "./catalog.tsx";

// The add-to-cart form as the page checks it before asking the API (which checks stock, limits and the rest).
const AddToCart = z.object({
  slug: z.string().regex(/^[A-Za-z0-9._~-]{1,200}$/, "This product page is out of date: reload it and try again."),
  sku: z.string().min(1, "Choose an option first."),
  quantity: z.coerce
    .number({ error: "Enter how many you want." })
    .int("Enter a whole number.")
    .min(1, "Enter at least 1.")
    .max(99, "You can add at most 99 at a time."),
});

/** The cart: adding from a product page, changing a line, and the cart page itself. */
export function cartPages(kit: ShopKit) {
  const app = new Hono<EdgeEnv<StorefrontEnv>>();

  app.post(
    "/cart/add",
    kit.page(async (c, api) => {
      const f = await kit.form(c);
      const checked = checkForm(AddToCart, { ...f, quantity: f.quantity || "1" });
      // A failed add is shown on the product page, by its form, with what was chosen: the shopper fixes it there.
      const again = (message: string) =>
        f.slug ? productPage(kit, c, api, f.slug, { sku: f.sku ?? "", quantity: f.quantity ?? "1", message }) : c.redirect("/cart", 303);
      if (!checked.ok) return again(Object.values(checked.errors)[0] ?? problemText(checked.problem));
      const opened = await openCart(c, api, true);
      if (opened === null) return c.redirect("/cart", 303);
      const { sku, quantity } = checked.data;
      const added = await api<CartView>("POST", `/v1/carts/${opened.ref.id}/items`, { sku, quantity }, cartHeaders(opened.ref));
      if (!added.ok) return again(problemText(added.problem));
      shopSession.flash(c, { kind: "ok", text: "Added to your cart." });
      return c.redirect("/cart", 303);
    }),
  );

  app.get(
    "/cart",
    kit.page(async (c, api) => {
      const opened = await openCart(c, api, false);
      return kit.html(c, api, { title: "Cart", body: <CartPage cart={opened?.cart ?? null} /> });
    }),
  );

  const lineChange = (method: "PATCH" | "DELETE") =>
    kit.page(async (c, api) => {
      const f = await kit.form(c);
      const opened = await openCart(c, api, false);
      if (opened === null) return c.redirect("/cart", 303);
      const path = `/v1/carts/${opened.ref.id}/items/${encodeURIComponent(f.sku ?? "")}`;
      const changed = await api(method, path, method === "PATCH" ? { quantity: Number(f.quantity) } : undefined, cartHeaders(opened.ref));
      shopSession.flash(
        c,
        changed.ok
          ? { kind: "ok", text: method === "PATCH" ? "Quantity updated." : "Removed." }
          : { kind: "bad", text: problemText(changed.problem) },
      );
      return c.redirect("/cart", 303);
    });
  app.post("/cart/update", lineChange("PATCH"));
  app.post("/cart/remove", lineChange("DELETE"));

  return app;
}
