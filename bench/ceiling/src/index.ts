import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";

/** The least a strongly consistent write can cost: one SQLite-backed object adding one to a number. */
export class Counter extends DurableObject<CeilingEnv> {
  increment(): number {
    const next = (this.ctx.storage.kv.get<number>("n") ?? 0) + 1;
    this.ctx.storage.kv.put("n", next);
    return next;
  }
}

const app = new Hono<{ Bindings: CeilingEnv }>();
app.get("/", (c) => c.text("ok"));
app.post("/counter/:name", async (c) => {
  const n = await c.env.COUNTER.getByName(c.req.param("name")).increment();
  return c.json({ n });
});

// Inventory hold: one unit, a fresh hold id per request (as a cart line at checkout would).
app.post("/inventory/:sku/hold", async (c) => {
  const result = await c.env.INVENTORY.getByName(c.req.param("sku")).hold(crypto.randomUUID(), 1, 60_000, "bench");
  return c.json({ ok: result.ok }, result.ok ? 200 : 409);
});
app.post("/inventory/:sku/restock", async (c) => {
  const result = await c.env.INVENTORY.getByName(c.req.param("sku")).restock(crypto.randomUUID(), 1_000_000, "bench stock");
  return c.json(result, result.ok ? 200 : 409);
});

export default app satisfies ExportedHandler<CeilingEnv>;
