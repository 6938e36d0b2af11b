import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickSku } from "../system/cart-client.ts";
import { boot, freshStateDir } from "../system/platform-harness.ts";
import { browserKit, launchChromium } from "./browser-kit.ts";

// A shop paid through Stripe, in Chromium: the checkout page loads Stripe.js, the card goes to Stripe's field, and
// only the PaymentMethod id Stripe.js made comes back to the shop, which confirms a PaymentIntent with exactly
// that id. Neither Stripe.js nor Stripe's API can be reached from here, so both are stand-ins that behave like
// them at the edges we use: Stripe.js is served in place of https://js.stripe.com/v3/ (the page's own policy
// still decides what may load), and Stripe's API is a local server the payments Worker is pointed at.
const kit = browserKit("shop-stripe");
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let browser: Browser;
let stripeApi: Server;
type Seen = { path: string; auth: string | undefined; key: string | undefined; form: URLSearchParams };
const seen: Seen[] = [];

const SECRET = "sk_test_shop_stripe";
const PUBLISHABLE = "pk_test_shop_stripe";

// Stripe.js as far as the checkout uses it: a card field mounted in the page, and createPaymentMethod turning
// what was typed into a PaymentMethod id (here, one that names the card's last four digits).
const FAKE_STRIPE_JS = `window.Stripe = function (key) {
  if (key !== ${JSON.stringify(PUBLISHABLE)}) throw new Error("wrong publishable key " + key);
  return {
    elements: function () {
      return { create: function () {
        return { mount: function (selector) {
          var input = document.createElement("input");
          input.id = "stripe-card-number";
          input.setAttribute("aria-label", "Card number (Stripe)");
          document.querySelector(selector).appendChild(input);
        } };
      } };
    },
    createPaymentMethod: function () {
      var digits = document.getElementById("stripe-card-number").value.replace(/\\s/g, "");
      if (digits.length < 12) return Promise.resolve({ error: { message: "Your card number is incomplete." } });
      return Promise.resolve({ paymentMethod: { id: "pm_browser_" + digits.slice(-4) } });
    },
  };
};`;

/** Stripe's PaymentIntents API as the adapter calls it; a PaymentMethod ending 0002 is declined. */
function startStripeApi(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const form = new URLSearchParams(body);
      seen.push({ path: req.url ?? "", auth: req.headers.authorization, key: req.headers["idempotency-key"] as string | undefined, form });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      const pm = form.get("payment_method") ?? "";
      const card = { id: pm, object: "payment_method", card: { brand: "visa", last4: pm.slice(-4) } };
      if (req.url === "/v1/payment_intents") {
        if (pm.endsWith("0002"))
          return send(402, {
            error: {
              type: "card_error",
              code: "card_declined",
              decline_code: "generic_decline",
              message: "Your card was declined.",
              payment_method: card,
            },
          });
        return send(200, {
          id: `pi_${seen.length}`,
          object: "payment_intent",
          amount: Number(form.get("amount")),
          currency: form.get("currency"),
          status: "requires_capture",
          latest_charge: null,
          metadata: { payment_id: form.get("metadata[payment_id]") },
          payment_method: card,
        });
      }
      const intent = /^\/v1\/payment_intents\/([^/]+)\/(capture|cancel)$/.exec(req.url ?? "");
      if (intent !== null) {
        const status = intent[2] === "capture" ? "succeeded" : "canceled";
        return send(200, { id: intent[1], object: "payment_intent", amount: 0, currency: "usd", status, latest_charge: `ch_${intent[1]}` });
      }
      send(404, { error: { type: "invalid_request_error", message: `no route ${req.url}` } });
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  stripeApi = await startStripeApi();
  const port = (stripeApi.address() as AddressInfo).port;
  platform = await boot(state.dir, {
    demoSize: 80,
    vars: {
      payments: {
        PAYMENT_PROVIDER: "stripe",
        TEST_PAYMENTS: "off",
        STRIPE_SECRET_KEY: SECRET,
        STRIPE_PUBLISHABLE_KEY: PUBLISHABLE,
        STRIPE_API_BASE: `http://127.0.0.1:${port}`,
      },
    },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
  await new Promise((done) => stripeApi?.close(done));
  state.remove();
});

const url = (path: string) => new URL(path, platform.url).toString();

describe("checkout through Stripe in a real browser", () => {
  it("the API tells clients to send a Stripe PaymentMethod, with the publishable key", async () => {
    const res = await fetch(url("/v1/checkout/payment-methods"));
    expect(await res.json()).toEqual({ items: [{ method: "stripe", provider: "stripe", publishableKey: PUBLISHABLE }] });
  });

  it("the card goes to Stripe's field, the shop gets only the PaymentMethod id, and Stripe confirms exactly that one", async () => {
    const { context, page } = await kit.newPage(browser, { extraHTTPHeaders: { "CF-Connecting-IP": "198.51.100.210" } });
    await context.route("https://js.stripe.com/v3/", (route) =>
      route.fulfill({ status: 200, contentType: "text/javascript", body: FAKE_STRIPE_JS }),
    );
    const posted: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(platform.url.origin)) posted.push(`${r.url()} ${r.postData() ?? ""}`);
    });
    const item = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0");
    await page.goto(url(`/p/${item.slug}`));
    await page.locator(`input[name=sku][value="${item.sku}"]`).check();
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.waitForURL(/\/cart$/);
    await page.getByRole("link", { name: "Check out" }).click();
    // No card fields of the shop's own: Stripe's field is mounted instead.
    expect(await page.locator("input[name=cardNumber], input[name=cvc]").count()).toBe(0);
    await page.getByLabel("Card number (Stripe)").waitFor();
    const email = `stripe-${Date.now()}@example.com`;
    const typed = { Email: email, "Full name": "Katherine Johnson", Address: "1 Orbit Rd", City: "Hampton", "Postal code": "23666" };
    for (const [label, value] of Object.entries(typed)) await page.getByLabel(label, { exact: true }).fill(value);

    // A declined card: Stripe says no, the page says why, and still has no number of the card anywhere.
    await page.getByLabel("Card number (Stripe)").fill("4000 0000 0000 0002");
    await page.getByRole("button", { name: "Place order" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: /declined/i })
      .first()
      .waitFor();
    expect(await page.content()).not.toContain("4000000000000002");
    await kit.check(page, "declined");

    await page.getByLabel("Card number (Stripe)").fill("4242 4242 4242 4242");
    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\/ord_/);
    await page.getByText("Thank you! Your order is placed").waitFor();
    await page.getByText("visa ···· 4242").waitFor();
    await kit.check(page, "confirmation");

    // Stripe was asked to confirm exactly the PaymentMethod the browser made, with our secret key, manual capture.
    const intents = seen.filter((s) => s.path === "/v1/payment_intents");
    expect(intents.map((s) => s.form.get("payment_method"))).toEqual(["pm_browser_0002", "pm_browser_4242"]);
    for (const s of intents) {
      expect(s.auth).toBe(`Bearer ${SECRET}`);
      expect(s.form.get("capture_method")).toBe("manual");
      expect(s.key).toMatch(/^ord_.+:authorize$/);
      expect([...s.form.keys()].filter((k) => /number|cvc|exp_/.test(k))).toEqual([]);
    }
    expect(seen.filter((s) => s.path.endsWith("/capture"))).toHaveLength(1);
    // The card number never reached the shop: not in any request the browser sent it.
    expect(posted.some((p) => p.includes("pm_browser_4242"))).toBe(true);
    expect(posted.filter((p) => /4242\s?4242|4000\s?0000/.test(p))).toEqual([]);
    await context.close();
    expect(kit.problems, kit.problems.join("\n")).toEqual([]);
  });

  it("raw card numbers are refused by a Stripe shop's API (400 naming payment.method), and nothing reaches Stripe", async () => {
    const before = seen.length;
    const cart = (await (await fetch(url("/v1/carts"), { method: "POST", headers: { "CF-Connecting-IP": "198.51.100.211" } })).json()) as {
      id: string;
      token: string;
    };
    const item = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0");
    const headers = { "content-type": "application/json", "x-cart-token": cart.token, "CF-Connecting-IP": "198.51.100.211" };
    await fetch(url(`/v1/carts/${cart.id}/items`), { method: "POST", headers, body: JSON.stringify({ sku: item.sku, quantity: 1 }) });
    const res = await fetch(url("/v1/checkout"), {
      method: "POST",
      headers: { ...headers, "idempotency-key": crypto.randomUUID() },
      body: JSON.stringify({
        cartId: cart.id,
        email: "raw@example.com",
        shippingAddress: { name: "Raw", line1: "1 Main St", city: "Springfield", postalCode: "12345", country: "US" },
        payment: { method: "card", card: { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123" } },
      }),
    });
    const problem = (await res.json()) as { status: number; errors?: { field: string }[] };
    expect(res.status).toBe(400);
    expect(problem.errors?.map((e) => e.field)).toContain("payment.method");
    expect(seen.length).toBe(before);
  });
});
