import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countIn } from "../system/after-sale-client.ts";
import { pickSku } from "../system/cart-client.ts";
import { boot, freshStateDir } from "../system/platform-harness.ts";
import { browserKit, launchChromium } from "./browser-kit.ts";

// The shop's pages in Debian's Chromium against the platform as `npm start` runs it: a guest browses, filters,
// buys, registers and finds the order; a declined card keeps what was typed; and the same journey with
// JavaScript disabled. No console errors, every image loads, axe finds nothing serious, a screenshot per step.
const kit = browserKit("shop");
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let browser: Browser;

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 150 });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
  state.remove();
});

const url = (path: string) => new URL(path, platform.url).toString();

/** The guest journey: category → facet → product → add two → change a quantity → checkout → register → account. */
async function journey(scripts: boolean, tag: string): Promise<void> {
  const clientIp = tag === "js" ? "198.51.100.201" : "198.51.100.202";
  const { context, page } = await kit.newPage(browser, { javaScriptEnabled: scripts, extraHTTPHeaders: { "CF-Connecting-IP": clientIp } });
  const first = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_northwind'");
  const second = await pickSku(platform, `v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_trailhead'`);

  await page.goto(url("/"));
  await kit.check(page, `${tag}-home`, scripts);
  const category = (await platform.miniflare.getD1Database("DB", "catalog"))
    .prepare("SELECT c.slug FROM products p JOIN categories c ON c.id = p.category_id WHERE p.slug = ?")
    .bind(first.slug)
    .first<{ slug: string }>();
  const slug = (await category)?.slug ?? "";
  await page.goto(url(`/c/${slug}`));
  await kit.check(page, `${tag}-category`, scripts);
  // Filter by a facet: the first brand offered.
  const brand = page.locator("fieldset:has(legend:text('Brand')) input[type=checkbox]").first();
  await brand.check();
  await page.getByRole("button", { name: "Apply filters" }).click();
  await page.waitForURL(/brand=/);
  await kit.check(page, `${tag}-filtered`, scripts);

  // The two products, each added from its page.
  for (const item of [first, second]) {
    await page.goto(url(`/p/${item.slug}`));
    await page.locator(`input[name=sku][value="${item.sku}"]`).check();
    if (item === first) await kit.check(page, `${tag}-product`, scripts);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.waitForURL(/\/cart$/);
  }
  await expect.poll(() => page.locator("tr.line").count()).toBe(2);
  await page
    .getByLabel(/Quantity of/)
    .first()
    .fill("3");
  await page.getByRole("button", { name: "Update" }).first().click();
  await page.getByText("Quantity updated.").waitFor();
  await kit.check(page, `${tag}-cart`, scripts);

  // A declined card: the error shows, the cart and every typed field stay.
  await page.getByRole("link", { name: "Check out" }).click();
  const typed = {
    Email: `guest-${tag}-${Date.now()}@example.com`,
    "Full name": "Ada Lovelace",
    Address: "12 Analytical Row",
    City: "London",
    "Postal code": "N1 9GU",
  };
  for (const [label, value] of Object.entries(typed)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByLabel("Card number").fill("4000 0000 0000 0002");
  await page.getByLabel("Expiry (MM/YY)").fill("12/30");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Place order" }).click();
  await page.getByRole("alert").waitFor();
  expect(await page.getByRole("alert").textContent()).toMatch(/declined/i);
  for (const [label, value] of Object.entries(typed)) expect(await page.getByLabel(label, { exact: true }).inputValue()).toBe(value);
  // The card number is never rendered back into a page (nor its security code).
  expect(await page.getByLabel("Card number").inputValue()).toBe("");
  expect(await page.content()).not.toContain("4000000000000002");
  expect(await page.locator("aside").textContent()).toContain("3 ×");
  await kit.check(page, `${tag}-declined`, scripts);

  // The success card: the confirmation.
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiry (MM/YY)").fill("12/30");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/orders\/ord_/);
  await page.getByText("Thank you! Your order is placed").waitFor();
  const orderId = /\/orders\/(ord_[A-Za-z0-9_-]+)/.exec(page.url())?.[1] ?? "";
  await kit.check(page, `${tag}-confirmation`, scripts);
  // The guest's order token is in an HttpOnly cookie, never in a URL (history, logs, Referer) or the page.
  const orderToken = await guestOrderToken(context, orderId);
  expect(orderToken.length).toBeGreaterThan(20);
  expect(page.url()).not.toContain(orderToken);
  expect(await page.content()).not.toContain(orderToken);
  expect(await orderStatusWithToken(orderId, orderToken)).toBe(200);

  // Register from the confirmation: the order comes along (its token proves it is this guest's) into the account.
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL(/\/register/);
  expect(page.url()).not.toContain(orderToken);
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(typed.Email);
  await page.getByLabel("Password").fill("a long shopper password");
  await kit.check(page, `${tag}-register`, scripts);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/account$/);
  await page.getByRole("link", { name: orderId }).waitFor();
  await kit.check(page, `${tag}-account`, scripts);
  // Claimed: the account reads the order now, and the guest token is worth nothing (nor kept in the cookie).
  expect(await orderStatusWithToken(orderId, orderToken)).toBe(404);
  expect((await context.cookies()).find((c) => c.name === "ec_orders")?.value ?? "").not.toContain(orderId);
  await page.getByRole("link", { name: orderId }).click();
  await page.getByRole("heading", { name: `Order ${orderId}` }).waitFor();
  await kit.check(page, `${tag}-order`, scripts);
  await context.close();
}

async function guestOrderToken(context: BrowserContext, orderId: string): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === "ec_orders");
  expect(cookie?.httpOnly).toBe(true);
  const pair = (cookie?.value ?? "").split("~").find((p) => p.startsWith(`${orderId}.`));
  return pair?.slice(orderId.length + 1) ?? "";
}

const orderStatusWithToken = async (orderId: string, token: string): Promise<number> =>
  (await fetch(url(`/v1/orders/${orderId}`), { headers: { "x-order-token": token } })).status;

describe("the shop in a real browser", () => {
  it("a guest's journey: browse, filter, add two, change a quantity, a declined card keeps everything, buy, register", async () => {
    await journey(true, "js");
    expect(kit.problems, kit.problems.join("\n")).toEqual([]);
  });

  it("the same journey with JavaScript disabled", async () => {
    await journey(false, "nojs");
    expect(kit.problems, kit.problems.join("\n")).toEqual([]);
  });

  it("the checkout form submitted twice at once (a double click) places one order and charges once", async () => {
    const origin = new URL(platform.url).origin;
    const { context, page } = await kit.newPage(browser, { extraHTTPHeaders: { "CF-Connecting-IP": "198.51.100.203" } });
    const item = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0 AND p.merchant_id = 'mer_pageturner'");
    await page.goto(url(`/p/${item.slug}`));
    await page.locator(`input[name=sku][value="${item.sku}"]`).check();
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.waitForURL(/\/cart$/);
    await page.getByRole("link", { name: "Check out" }).click();
    const email = `double-${Date.now()}@example.com`;
    const typed = { Email: email, "Full name": "Grace Hopper", Address: "1 Compiler Way", City: "Arlington", "Postal code": "22201" };
    for (const [label, value] of Object.entries(typed)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry (MM/YY)").fill("12/30");
    await page.getByLabel("CVC").fill("123");
    // The form carries its Idempotency-Key: every submit of this very form is the same checkout.
    type Field = { name: string; value: string; type: string; checked: boolean };
    const fields = Object.fromEntries(
      (
        await page
          .locator("form[action='/checkout'] [name]")
          .evaluateAll((els) =>
            els.map((e) => e as unknown as Field).map(({ name, value, type, checked }) => ({ name, value, type, checked })),
          )
      )
        .filter((f) => (f.type !== "radio" && f.type !== "checkbox") || f.checked)
        .map((f) => [f.name, f.value]),
    );
    expect(fields.idempotencyKey ?? "").toMatch(/^[0-9a-f-]{36}$/);
    // Both posts leave at once with the browser's own cookies, as a double click's would.
    const post = () => context.request.post(url("/checkout"), { form: fields, maxRedirects: 0, headers: { Origin: origin } });
    const [first, second] = await Promise.all([post(), post()]);
    expect([first.status(), second.status()]).toEqual([303, 303]);
    expect(second.headers().location).toBe(first.headers().location);
    expect(await countIn(platform, "orders", "SELECT COUNT(*) AS n FROM orders WHERE email = ?", email)).toBe(1);
    const orderId = /ord_[A-Za-z0-9_-]+/.exec(first.headers().location ?? "")?.[0] ?? "";
    expect(await countIn(platform, "payments", "SELECT COUNT(*) AS n FROM payments WHERE payment_id = ? AND captured > 0", orderId)).toBe(
      1,
    );
    expect(await countIn(platform, "payments", "SELECT COUNT(*) AS n FROM ledger WHERE kind = 'capture' AND payment_id = ?", orderId)).toBe(
      1,
    );
    await page.goto(url(first.headers().location ?? "/"));
    await page.getByRole("heading", { name: `Order ${orderId}` }).waitFor();
    await kit.check(page, "double-submit-order");
    await context.close();
    expect(kit.problems, kit.problems.join("\n")).toEqual([]);
  });

  it("an add-to-cart the shop refuses is shown again on the product page, by its form, with what was chosen", async () => {
    const { context, page } = await kit.newPage(browser, { extraHTTPHeaders: { "CF-Connecting-IP": "198.51.100.204" } });
    // A variant with fewer than the form's 99 in stock: one more than there is is a quantity the form allows.
    const item = await pickSku(platform, "v.available BETWEEN 1 AND 98 AND p.flash_sale = 0 AND p.status = 'active'");
    await page.goto(url(`/p/${item.slug}`));
    await page.locator(`input[name=sku][value="${item.sku}"]`).check();
    const tooMany = String(item.available + 1);
    const quantity = page.locator("#quantity");
    await quantity.fill(tooMany);
    await page.getByRole("button", { name: "Add to cart" }).click();
    const message = page.locator("form[action='/cart/add'] [role=alert]");
    await message.waitFor();
    expect(new URL(page.url()).pathname).toBe("/cart/add");
    expect(await message.textContent()).toContain(`only ${item.available} of SKU '${item.sku}' available`);
    expect(await quantity.getAttribute("aria-invalid")).toBe("true");
    expect(await quantity.inputValue()).toBe(tooMany);
    expect(await page.locator(`input[name=sku][value="${item.sku}"]`).isChecked()).toBe(true);
    await kit.check(page, "add-to-cart-refused");
    // Nothing went in the cart.
    await page.goto(url("/cart"));
    expect(await page.locator("tr.line").count()).toBe(0);
    await context.close();
    expect(kit.problems, kit.problems.join("\n")).toEqual([]);
  });

  it("unknown pages are a friendly 404 for browsers in the shop and the dashboard, with the request id; API paths and API clients get problem+json", async () => {
    const page = await fetch(url("/no/such/page"), { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain(page.headers.get("x-request-id") ?? "missing");
    const api = await fetch(url("/v1/no-such"), { headers: { accept: "text/html" } });
    expect(api.headers.get("content-type")).toContain("application/problem+json");
    const client = await fetch(url("/no/such/page"));
    expect(client.headers.get("content-type")).toContain("application/problem+json");
    // The dashboard answers through the same error path: its own 404 page under /admin, problem+json for its API.
    const admin = (path: string) => fetch(new URL(path, platform.adminUrl), { headers: { accept: "text/html" } });
    const dashboardPage = await admin("/admin/no/such/page");
    expect(dashboardPage.status).toBe(404);
    expect(await dashboardPage.text()).toContain(dashboardPage.headers.get("x-request-id") ?? "missing");
    expect((await admin("/admin/v1/no-such")).headers.get("content-type")).toContain("application/problem+json");
  });
});
