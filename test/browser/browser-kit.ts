import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";

// What every browser test needs: Debian's Chromium (never a downloaded browser), pages watched for console
// errors, failed requests and broken images, axe-core on each page, and numbered screenshots.

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/** One test file's findings and screenshots (in `screenshots/<folder>`, emptied first). */
export function browserKit(folder: string) {
  const shots = join(import.meta.dirname, "screenshots", folder);
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const problems: string[] = [];
  let step = 0;

  return {
    problems,
    /**
     * A page whose console errors, page errors and failed requests are recorded. The pages' own CSP stays on
     * (a style attribute or script it refuses is a console error, so a failure here); axe is evaluated through
     * the DevTools protocol, which the page's CSP does not govern.
     */
    async newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      const page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${page.url()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${page.url()}: ${e.message}`));
      // A lazy image still loading when the page is left is aborted by the browser: not a failure of the page.
      page.on("requestfailed", (r) => {
        if (r.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${r.url()}: ${r.failure()?.errorText ?? ""}`);
      });
      page.on("response", (r) => {
        if (r.request().resourceType() === "image" && r.status() >= 400) problems.push(`image ${r.status()}: ${r.url()}`);
      });
      return { context, page };
    },
    /**
     * A screenshot; then (when the page runs script) every image loaded and decoded, and axe-core's serious or
     * critical findings recorded. With JavaScript off only the screenshot is taken: the same pages are checked
     * in the script-enabled run.
     */
    async check(page: Page, name: string, scripts = true): Promise<void> {
      step++;
      await page.screenshot({ path: join(shots, `${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
      if (!scripts) return;
      await page.evaluate(async () => {
        for (const img of Array.from(document.images)) img.loading = "eager";
        await Promise.all(
          Array.from(document.images).map((img) =>
            img.complete
              ? Promise.resolve()
              : new Promise((done) => {
                  img.addEventListener("load", done, { once: true });
                  img.addEventListener("error", done, { once: true });
                }),
          ),
        );
      });
      const broken = await page.evaluate(() =>
        Array.from(document.images)
          .filter((i) => i.naturalWidth === 0)
          .map((i) => i.src),
      );
      for (const src of broken) problems.push(`${name}: image did not load: ${src}`);
      if ((await page.evaluate(() => document.compatMode)) !== "CSS1Compat") problems.push(`${name}: quirks mode (no <!doctype html>)`);
      await page.evaluate(AXE);
      const violations = await page.evaluate(async () => {
        type Axe = {
          run: (d: Document) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
        const result = await (window as unknown as { axe: Axe }).axe.run(document);
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          at: v.nodes.map((n) => n.target.join(" ")).slice(0, 3),
        }));
      });
      for (const v of violations) {
        if (v.impact === "serious" || v.impact === "critical")
          problems.push(`${name}: axe ${v.id} (${v.impact}) ${v.help} at ${v.at.join(", ")}`);
      }
    },
  };
}
