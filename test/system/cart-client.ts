import type { Platform } from "../../scripts/platform.ts";

export type Json = Record<string, unknown>;
export type Reply = { status: number; type: string | null; body: Json };

/** A shopper's view of the API: JSON in, status + JSON out. */
export function client(platform: Platform) {
  const call = async (method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string } = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers["x-cart-token"] = options.token;
    if (options.body !== undefined || options.rawBody !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(new URL(path, platform.url), {
      method,
      headers,
      body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as Json };
  };
  return {
    call,
    newCart: async () => {
      const res = await call("POST", "/v1/carts");
      return { id: String(res.body.id), token: String(res.body.token), res };
    },
    /** Live stock of a SKU as the product page shows it. */
    available: async (slug: string, sku: string): Promise<number> => {
      const res = await call("GET", `/v1/products/${slug}`);
      const variant = (res.body.variants as { sku: string; available: number }[]).find((v) => v.sku === sku);
      return variant?.available ?? -1;
    },
  };
}

/** A SKU from the catalog's own tables, chosen by SQL (flash-sale or not, with stock). */
export async function pickSku(platform: Platform, where: string): Promise<{ sku: string; slug: string; price: number; available: number }> {
  const db = await platform.miniflare.getD1Database("DB", "catalog");
  const row = await db
    .prepare(
      `SELECT v.sku, p.slug, v.price_amount AS price, v.available FROM variants v JOIN products p ON p.id = v.product_id WHERE ${where} ORDER BY v.sku LIMIT 1`,
    )
    .first<{ sku: string; slug: string; price: number; available: number }>();
  if (row === null) throw new Error(`no SKU where ${where}`);
  return row;
}

export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}
