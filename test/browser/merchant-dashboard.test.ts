import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePng } from "../../workers/catalog/seed/png.ts";
import { owner, tokenOf, waitFor } from "../system/after-sale-client.ts";
import { checkoutBody, shopper } from "../system/checkout-client.ts";
import { call } from "../system/identity-client.ts";
import { boot, freshStateDir } from "../system/platform-harness.ts";
import { browserKit, launchChromium } from "./browser-kit.ts";

// The merchant dashboard in a real browser (Debian's Chromium, headless) against the platform as `npm start`
// runs it: a merchant signs in, creates a product with an image, stocks it, sees it live in the shopper API and
// ships an order; no console errors, no serious accessibility violations, a screenshot of every step.
const kit = browserKit("dashboard");
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let browser: Browser;

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(new URL("/admin", platform.adminUrl).toString());
  await expect.poll(() => page.url()).toContain("/admin/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("demo-shop-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/admin$/);
}

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 80 });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
  state.remove();
});

describe("the merchant dashboard in a real browser", () => {
  it("sign in → product with an image → in the shopper API → stock → live on the product page → ship an order", async () => {
    const { context, page } = await kit.newPage(browser);

    await page.goto(new URL("/admin", platform.adminUrl).toString());
    await expect.poll(() => page.url()).toContain("/admin/sign-in");
    await kit.check(page, "sign-in");
    await signIn(page, owner("northwind"));
    await kit.check(page, "overview");
    // The header names the merchant (the session itself carries only its id).
    expect(await page.locator(".topbar .merchant-name").textContent()).toBe("Northwind Electronics");

    // A new product, typed into the editor.
    await page.getByRole("link", { name: "New product" }).first().click();
    const sku = `DASH-${Date.now().toString(36).toUpperCase()}`;
    await page.getByLabel("Title", { exact: true }).fill("Dashboard Desk Lamp");
    await page.getByLabel("Brand").fill("Northwind Labs");
    await page.getByLabel("Description").fill("A warm desk lamp, created in the browser test.");
    await page.getByLabel("Category").selectOption("audio");
    await page.getByLabel("Status").selectOption("active");
    await page.getByLabel("Attribute 1 name").fill("wattage");
    await page.getByLabel("Attribute 1 value").fill("9 W");
    await page.getByLabel("SKU 1").fill(sku);
    await page.getByLabel("Variant 1 title").fill("Warm white");
    await page.getByLabel("Price 1").fill("39.50");
    await page.getByLabel("Currency 1").selectOption("USD");
    await kit.check(page, "new-product");
    await page.getByRole("button", { name: "Create product" }).click();
    await page.waitForURL(/\/admin\/products\/prd_/);
    expect(await page.getByRole("status").textContent()).toContain("created");

    // An image, uploaded from the file picker; its size is read from the file.
    const png = await encodePng(48, 32, (x, y) => [200, 120 + x, 40 + y * 4]);
    await page.getByLabel("Image file").setInputFiles({ name: "lamp.bin", mimeType: "application/octet-stream", buffer: Buffer.from(png) });
    await page.getByLabel("Alt text").fill("Desk lamp, lit");
    await page.getByRole("button", { name: "Upload" }).click();
    await page.getByText("48×32").waitFor();
    // The image arrives from this origin and decodes at its real size (it may still be loading when the page is).
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img[alt="Desk lamp, lit"]');
      return img?.complete && img.naturalWidth === 48;
    });
    await kit.check(page, "product-with-image");

    // It is in the shopper API (within the read cache's staleness).
    const slug = String(await page.locator(".lede .mono").textContent());
    const listed = await waitFor(
      () => call(platform.url, "GET", `/v1/products/${slug}`),
      (r) => r.status === 200,
      10_000,
    );
    expect(listed.body).toMatchObject({ title: "Dashboard Desk Lamp", attributes: { wattage: "9 W" } });
    expect((listed.body.images as { width: number }[])[0]?.width).toBe(48);

    // Stock, adjusted with a reason: the shopper's product page shows it live.
    await page.getByLabel("Change by").fill("5");
    await page.getByLabel("Reason").fill("First delivery");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText(`Stock of ${sku} changed by +5`).waitFor();
    expect(await page.getByTestId(`on-hand-${sku}`).textContent()).toBe("5");
    await kit.check(page, "stock-adjusted");
    const live = await call(platform.url, "GET", `/v1/products/${slug}`);
    expect((live.body.variants as { sku: string; available: number }[]).find((v) => v.sku === sku)?.available).toBe(5);

    // A second variant, then cleared again: it is archived with its SKU (never used again), not deleted.
    const extra = `${sku}-B`;
    await page.getByLabel("SKU 2").fill(extra);
    await page.getByLabel("Variant 2 title").fill("Cool white");
    await page.getByLabel("Price 2").fill("41.00");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByTestId(`on-hand-${extra}`).waitFor();
    for (const field of ["SKU 2", "Variant 2 title", "Price 2"]) await page.getByLabel(field).fill("");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByTestId("archived-variants").getByText(extra).waitFor();
    expect(await page.getByTestId(`on-hand-${extra}`).count()).toBe(0);
    await kit.check(page, "variant-archived");

    // A shopper buys one; the merchant ships it from the orders page.
    const buyer = shopper(platform, "198.51.100.41");
    const cart = await buyer.cart([{ sku, quantity: 1 }]);
    const placed = await buyer.checkout(cart, `dash-${crypto.randomUUID()}`, checkoutBody(cart.id));
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const orderId = String((placed.body.order as { id: string }).id);
    const ownerToken = await tokenOf(platform, owner("northwind"));
    await waitFor(
      () => call(platform.adminUrl, "GET", `/admin/v1/orders/${orderId}`, { token: ownerToken }),
      (r) => (r.body.shipments as unknown[] | undefined)?.length === 1,
    );
    await page.getByRole("link", { name: "Orders" }).click();
    const row = page.locator(`tr[data-order="${orderId}"]`);
    await row.waitFor();
    await kit.check(page, "orders");
    await row.getByLabel("Carrier").fill("DHL");
    await row.getByLabel("Tracking number").fill("JD014600003828");
    await row.getByRole("button", { name: "Ship" }).click();
    await page.getByText(`Order ${orderId} shipped.`).waitFor();
    // The order's copy of its shipment follows fulfilment's event within a moment.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator(`tr[data-order="${orderId}"]`).textContent();
        },
        { timeout: 15_000 },
      )
      .toContain("JD014600003828");
    await kit.check(page, "shipped");
    const order = await call(platform.adminUrl, "GET", `/admin/v1/orders/${orderId}`, { token: ownerToken });
    expect(order.body.shipments).toMatchObject([{ status: "shipped", carrier: "DHL", trackingNumber: "JD014600003828" }]);

    // Reports: the paid order is in today's sales (insights aggregates it from the order events).
    await page.getByRole("link", { name: "Reports" }).click();
    await expect
      .poll(
        async () => {
          await page.reload();
          return Number(await page.getByTestId("report-orders").textContent());
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThanOrEqual(1);
    expect(await page.locator("svg[role=img] rect").count()).toBeGreaterThanOrEqual(30);
    await page.getByRole("cell", { name: /Dashboard Desk Lamp/ }).waitFor();
    await kit.check(page, "reports");
    await page.getByRole("link", { name: "Reviews" }).click();
    await kit.check(page, "reviews");

    // The owner's other pages: returns, keys (a new key shown once), staff.
    await page.getByRole("link", { name: "Returns" }).click();
    await kit.check(page, "returns");
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByLabel("Name").fill("Warehouse sync");
    await page.getByRole("button", { name: "Create key" }).click();
    expect(await page.getByTestId("new-key").textContent()).toMatch(/^ek_/);
    await kit.check(page, "api-keys");
    await page.getByRole("link", { name: "Staff" }).click();
    await page.getByLabel("Email").fill(`packer-${Date.now()}@northwind.example`);
    await page.getByRole("button", { name: "Invite" }).click();
    const invite = String(await page.getByTestId("invite-link").textContent());
    expect(invite).toContain("/admin/invite?token=");
    await kit.check(page, "staff");
    await page.getByRole("link", { name: "Products" }).click();
    await page.getByLabel("Search").fill("Dashboard Desk");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByRole("link", { name: "Dashboard Desk Lamp" }).waitFor();
    await kit.check(page, "products");

    // A form posted without its CSRF token is refused.
    const forged = await page.request.post(new URL("/admin/api-keys", platform.adminUrl).toString(), {
      form: { name: "forged", scope: "write" },
    });
    expect(forged.status()).toBe(403);

    // The invited staff member accepts and signs in: no API keys or staff in their navigation.
    const { context: staffContext, page: staffPage } = await kit.newPage(browser);
    await staffPage.goto(invite);
    await staffPage.getByLabel("Your name").fill("Pat Packer");
    await staffPage.getByLabel("Password").fill("a long staff password");
    await kit.check(staffPage, "invite");
    await staffPage.getByRole("button", { name: "Accept and sign in" }).click();
    await staffPage.waitForURL(/\/admin$/);
    const nav = await staffPage.getByRole("navigation", { name: "Dashboard" }).textContent();
    expect(nav).toContain("Orders");
    expect(nav).not.toContain("API keys");
    expect(nav).not.toContain("Staff");
    await kit.check(staffPage, "staff-overview");
    await staffContext.close();
    await context.close();

    expect(kit.problems, kit.problems.join("\n")).toEqual([]);
  });
});
