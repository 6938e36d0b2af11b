import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { owner, PLATFORM_ADMIN } from "../system/after-sale-client.ts";
import { pickSku } from "../system/cart-client.ts";
import { CARDS, checkoutBody, shopper, stockOf } from "../system/checkout-client.ts";
import { boot, freshStateDir } from "../system/platform-harness.ts";
import { browserKit, launchChromium } from "./browser-kit.ts";

// The platform admin's operations page in a real browser: checkouts by outcome, latency per route, oversell
// refusals, queues and an alert (a dead letter past the threshold, 0 here), drawn from the metrics the Workers
// wrote during the test; merchants neither see the link nor the page. Screenshots in screenshots/operations.
const kit = browserKit("operations");
const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
let browser: Browser;
let n = 0;
const nextIp = () => `192.0.2.${++n % 250}`;

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(new URL("/admin/sign-in", platform.adminUrl).toString());
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("demo-shop-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/admin$/);
}

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 80, vars: { admin: { ALERT_DEAD_LETTERS: "0" } } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await platform?.dispose();
  state.remove();
});

describe("the operations page in a real browser", () => {
  it("shows checkouts by outcome, route latency, oversell refusals, queues and the alert; merchants are kept out", async () => {
    const plenty = await pickSku(platform, "v.available >= 50 AND p.flash_sale = 0");
    const scarce = await pickSku(platform, "v.available BETWEEN 2 AND 10 AND p.flash_sale = 0");
    for (let i = 0; i < 3; i++) {
      const buyer = shopper(platform, nextIp());
      const cart = await buyer.cart([{ sku: plenty.sku, quantity: 1 }]);
      expect((await buyer.checkout(cart, `k-${crypto.randomUUID()}`)).status).toBe(201);
    }
    const decliner = shopper(platform, nextIp());
    const declinedCart = await decliner.cart([{ sku: plenty.sku, quantity: 1 }]);
    expect((await decliner.checkout(declinedCart, `k-${crypto.randomUUID()}`, checkoutBody(declinedCart.id, CARDS.declined))).status).toBe(
      402,
    );
    const { available } = await stockOf(platform, scarce.sku);
    const [first, second] = [shopper(platform, nextIp()), shopper(platform, nextIp())];
    const [cartA, cartB] = [
      await first.cart([{ sku: scarce.sku, quantity: available }]),
      await second.cart([{ sku: scarce.sku, quantity: 1 }]),
    ];
    expect((await first.checkout(cartA, `k-${crypto.randomUUID()}`)).status).toBe(201);
    expect((await second.checkout(cartB, `k-${crypto.randomUUID()}`)).status).toBe(409);

    // A dead letter, as the dead-letters queue would have stored it, and the crons' samples.
    const ops = await platform.miniflare.getD1Database("DB", "admin");
    await ops
      .prepare(
        `INSERT INTO dead_letters (id, queue, consumer, message_id, event_id, event_type, reason, attempts, body, received_at, replays)
         VALUES ('dl_browser', 'notification-events', 'notifications', 'm1', 'ord_x:paid', 'order.paid', 'mailbox full', 3, '{}', ?, 0)`,
      )
      .bind(Date.now() - 90_000)
      .run();
    for (const name of ["admin", "orders", "fulfillment"]) {
      await (await platform.miniflare.getWorker(name)).scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    }

    const { context, page } = await kit.newPage(browser);
    await signIn(page, PLATFORM_ADMIN);
    await page.getByRole("link", { name: "Operations" }).click();
    await page.waitForURL(/\/admin\/operations$/);
    await expect.poll(async () => Number(await page.getByTestId("checkouts-placed").textContent())).toBe(4);
    expect(await page.getByTestId("checkouts-declined").textContent()).toBe("1");
    expect(await page.getByTestId("checkouts-out_of_stock").textContent()).toBe("1");
    expect(Number(await page.getByTestId("oversell-refusals").textContent())).toBeGreaterThanOrEqual(1);
    const alert = page.getByTestId("alerts").getByRole("alert");
    expect(await alert.getAttribute("data-check")).toBe("deadLetters");
    expect(await alert.textContent()).toContain("1 dead letter not replayed (alert above 0)");
    expect(await page.getByTestId("routes").getByText("POST /v1/checkout").count()).toBe(1);
    expect(await page.getByRole("img", { name: "Checkouts by outcome" }).count()).toBe(1);
    expect(await page.getByRole("img", { name: "Latency per route, p50 and p99" }).count()).toBe(1);
    expect(await page.getByRole("img", { name: "Pending events" }).count()).toBe(1);
    await kit.check(page, "operations-hour");

    await page.getByRole("link", { name: "Last day" }).click();
    await page.waitForURL(/range=day/);
    expect(await page.getByRole("link", { name: "Last day" }).getAttribute("aria-current")).toBe("page");
    expect(await page.getByTestId("checkouts-placed").textContent()).toBe("4");
    await kit.check(page, "operations-day");
    await context.close();

    // A merchant has no link to it, and the page refuses them.
    const merchant = await kit.newPage(browser);
    await signIn(merchant.page, owner("northwind"));
    expect(await merchant.page.getByRole("link", { name: "Operations" }).count()).toBe(0);
    const refused = await merchant.page.goto(new URL("/admin/operations", platform.adminUrl).toString());
    expect(refused?.status()).toBe(403);
    await merchant.context.close();

    // The refusal is the one thing the browser may complain about.
    const unexpected = kit.problems.filter((p) => !/\/admin\/operations: Failed to load resource: .* 403/.test(p));
    expect(unexpected, unexpected.join("\n")).toEqual([]);
  });
});
