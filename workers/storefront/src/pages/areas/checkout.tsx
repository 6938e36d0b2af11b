/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { PlacedOrder, QuoteView } from "#schema/orders/dto.ts";
import type { Problem } from "#schema/problem.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { RESHOWN_FORM_STATUS } from "#shared/web/form.ts";
import { immutableAsset } from "#shared/web/immutable-asset.ts";
import { rememberGuestOrder, type ShopApi, type ShopContext, shopSession } from "../context.ts";
import type { ShopKit } from "../shop-kit.tsx";
import { cartHeaders, openCart } from "../shopper-cart.ts";
import { STRIPE_CHECKOUT_CSP, STRIPE_CHECKOUT_JS, STRIPE_CHECKOUT_JS_PATH, STRIPE_JS_URL } from "../stripe-checkout.ts";
import { type CheckoutForm, CheckoutPage } from "../views/buying.tsx";

/** Checkout: the form (with Stripe's script when Stripe takes the card), and placing the order. */
export function checkoutPages(kit: ShopKit) {
  const app = new Hono<EdgeEnv<StorefrontEnv>>();

  app.get(STRIPE_CHECKOUT_JS_PATH, immutableAsset(STRIPE_CHECKOUT_JS, "text/javascript; charset=utf-8"));

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
    return kit.html(c, api, {
      title: "Checkout",
      body,
      ...(problem === null ? {} : { status: RESHOWN_FORM_STATUS }),
      ...(scripts ? { scripts } : {}),
    });
  };

  app.get(
    "/checkout",
    kit.page(async (c, api) => checkoutPage(c, api, { email: shopSession.who(c)?.email ?? "", country: "US" }, null)),
  );

  app.post(
    "/checkout",
    kit.page(async (c, api) => {
      const f = await kit.form(c);
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
