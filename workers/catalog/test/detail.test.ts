import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { call, catalogService, withDemoShop } from "./service.ts";

beforeAll(withDemoShop);
afterEach(() => vi.restoreAllMocks());

describe("getProduct", () => {
  it("returns variants, free-form attributes, images and the category path", async () => {
    const list = await catalogService().listProducts({ category: "fiction", limit: 1 }, call);
    if (!list.ok) throw new Error("no list");
    const slug = list.value.items[0]?.slug ?? "";
    const r = await catalogService().getProduct(slug, call);
    if (!r.ok) throw new Error(JSON.stringify(r.problem));
    const p = r.value;
    expect(p.slug).toBe(slug);
    expect(p.category.path.map((c) => c.slug)).toEqual(["books", "fiction"]);
    expect(p.attributes.isbn).toMatch(/^97[89]\d{10}$/);
    expect(p.variants.length).toBeGreaterThan(0);
    for (const v of p.variants) {
      expect(Number.isInteger(v.price.amount)).toBe(true);
      expect(v.price.currency).toBe("USD");
      expect(v.available).toBeGreaterThanOrEqual(0);
    }
    const image = p.images[0];
    expect(image).toMatchObject({ width: 128, height: 128 });
    const key = image?.url.replace("/v1/images/", "") ?? "";
    const object = await env.ASSETS.get(key);
    expect(object?.httpMetadata?.contentType).toBe("image/png");
    const bytes = new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0));
    expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it("gives different attribute keys to different kinds of product", async () => {
    const keysOf = async (category: string) => {
      const list = await catalogService().listProducts({ category, limit: 1 }, call);
      if (!list.ok) throw new Error("no list");
      const r = await catalogService().getProduct(list.value.items[0]?.slug, call);
      return r.ok ? Object.keys(r.value.attributes) : [];
    };
    expect(await keysOf("lighting")).toContain("voltage");
    expect(await keysOf("science")).toContain("isbn");
  });

  it("answers 404 for an unknown or malformed slug", async () => {
    for (const slug of ["no-such-product", "../etc", "", 42]) {
      const r = await catalogService().getProduct(slug, call);
      expect(r.ok ? 200 : r.problem.status).toBe(404);
    }
  });

  it("logs each call as JSON under the caller's request id", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await catalogService().listCategories({ requestId: "req-from-storefront" });
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toContainEqual(
      expect.objectContaining({ service: "catalog", requestId: "req-from-storefront", method: "listCategories" }),
    );
  });
});
