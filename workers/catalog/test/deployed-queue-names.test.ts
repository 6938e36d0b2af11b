import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { envelope } from "#schema/events.ts";
import { ERASED_NAME } from "#shared/erasure.ts";
import { unwrap } from "#shared/result.ts";
import worker from "../src/index.ts";
import { call, catalogService, withDemoShop } from "./service.ts";

beforeAll(withDemoShop);

// A deployment names every queue after its environment (`npm run deploy`: catalog-events-staging), and the catalog
// tells its two queues apart by name.
describe("the catalog's queues under a deployed environment's names", () => {
  it("catalog-events-staging is catalog-events: an erased account's reviews lose the person", async () => {
    const product = await env.DB.prepare("SELECT slug FROM products WHERE status = 'active' ORDER BY id LIMIT 1").first<{ slug: string }>();
    const author = { userId: "usr_deployed_queue", name: "Ada Lovelace", orderId: "ord_deployed_queue" };
    const review = unwrap(
      await catalogService().createReview(product?.slug, author, { rating: 4, title: "Sturdy", body: "Does what it says." }, call),
    );

    const erased = envelope("identity.user_erased", { userId: author.userId });
    const batch = createMessageBatch("catalog-events-staging", [{ id: "m0", timestamp: new Date(), attempts: 1, body: erased }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["m0"], retryMessages: [] });

    const row = await env.DB.prepare("SELECT author FROM reviews WHERE id = ?").bind(review.id).first<{ author: string }>();
    expect(row?.author).toBe(ERASED_NAME);
  });
});
