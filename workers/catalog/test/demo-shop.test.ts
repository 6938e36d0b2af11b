import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEMO_IMAGE_SIZE, demoCategories, demoImage, demoProducts } from "../seed/demo-shop.ts";
import { loadDemoShop } from "../seed/load.ts";

const count = async (table: string): Promise<number> =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? -1;

describe("demo shop", () => {
  it("is the same shop for the same seed, and another for another seed", () => {
    const a = [...demoProducts(50, 7)];
    expect([...demoProducts(50, 7)]).toEqual(a);
    expect([...demoProducts(50, 8)].map((p) => p.title)).not.toEqual(a.map((p) => p.title));
  });

  it("has 12+ categories on two levels, several merchants and integer prices", () => {
    const categories = demoCategories();
    expect(categories.length).toBeGreaterThanOrEqual(12);
    expect(categories.filter((c) => c.parentId === null).length).toBeGreaterThan(1);
    expect(categories.filter((c) => c.parentId !== null).length).toBeGreaterThanOrEqual(12);
    const products = [...demoProducts(1000)];
    expect(new Set(products.map((p) => p.merchantId)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(products.map((p) => p.slug)).size).toBe(1000);
    expect(new Set(products.flatMap((p) => p.variants.map((v) => v.sku))).size).toBe(products.reduce((n, p) => n + p.variants.length, 0));
    expect(products.every((p) => p.variants.every((v) => Number.isInteger(v.priceAmount) && v.priceAmount > 0))).toBe(true);
    expect(products.some((p) => p.variants.some((v) => v.available === 0))).toBe(true);
  });

  it("draws a real PNG of a few KiB for every product", async () => {
    const [product] = demoProducts(1);
    if (product === undefined) throw new Error("no product");
    const png = await demoImage(product);
    const view = new DataView(png.buffer, png.byteOffset);
    expect([...png.slice(1, 4)].map((b) => String.fromCharCode(b)).join("")).toBe("PNG");
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([DEMO_IMAGE_SIZE, DEMO_IMAGE_SIZE]);
    expect(png.length).toBeGreaterThan(1024);
    expect(png.length).toBeLessThan(16 * 1024);
  });

  it("loads once, redoes a load that was cut short, and leaves a catalog with its own data alone", async () => {
    expect(await loadDemoShop(env.DB, env.ASSETS, { size: 40 })).toEqual({ loaded: true, products: 40, images: 40 });
    expect(await loadDemoShop(env.DB, env.ASSETS, { size: 40 })).toMatchObject({ loaded: false });
    expect(await count("products")).toBe(40);

    // A start that died half-way: the marker still says "loading" and rows are missing.
    await env.DB.batch([
      env.DB.prepare("UPDATE catalog_meta SET value = 'loading' WHERE key = 'demo_shop'"),
      env.DB.prepare("DELETE FROM products WHERE rowid % 2 = 0"),
    ]);
    expect(await loadDemoShop(env.DB, env.ASSETS, { size: 40 })).toMatchObject({ loaded: true, products: 40 });
    expect(await count("products")).toBe(40);
    expect(await count("product_images")).toBe(40);

    await env.DB.prepare("DELETE FROM catalog_meta").run();
    expect(await loadDemoShop(env.DB, env.ASSETS, { size: 40 })).toEqual({ loaded: false, reason: "catalog already has products" });
  });
});
