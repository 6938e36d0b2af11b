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

export default app satisfies ExportedHandler<CeilingEnv>;
