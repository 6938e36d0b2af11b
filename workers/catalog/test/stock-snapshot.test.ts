import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { envelope } from "#schema/events.ts";
import { consumeEvents } from "#shared/event-consumer.ts";
import { createLogger } from "#shared/logger.ts";
import { catalogDb } from "../src/db.ts";
import worker from "../src/index.ts";
import { stockSnapshotHandlers } from "../src/stock/snapshot-consumer.ts";
import { call, catalogService, withDemoShop } from "./service.ts";

beforeAll(withDemoShop);

const availableOf = async (sku: string): Promise<number | undefined> =>
  (await env.DB.prepare("SELECT available FROM variants WHERE sku = ?").bind(sku).first<{ available: number }>())?.available;

async function aSku(): Promise<string> {
  const row = await env.DB.prepare("SELECT sku FROM variants ORDER BY sku LIMIT 1 OFFSET 7").first<{ sku: string }>();
  return row?.sku ?? "";
}

const message = (body: unknown, i: number) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body });

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch("inventory-events", bodies.map(message));
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("stock snapshot from inventory.changed events", () => {
  it("applies the newest change, and a repeat or a late older one changes nothing", async () => {
    const sku = await aSku();
    const event = (available: number, seq: number) => envelope("inventory.changed", { sku, onHand: available + 1, available, seq });
    expect(await deliver([event(7, 5), event(3, 6), event(9, 4)])).toMatchObject({ explicitAcks: ["m0", "m1", "m2"], retryMessages: [] });
    expect(await availableOf(sku)).toBe(3);
    await deliver([event(3, 6)]);
    await deliver([event(42, 2)]);
    expect(await availableOf(sku)).toBe(3);
    await deliver([event(0, 9)]);
    expect(await availableOf(sku)).toBe(0);
  });

  it("sends a poison message to the dead-letter queue with the reason, and still applies the good ones", async () => {
    const sku = await aSku();
    const sent: unknown[] = [];
    const deadLetters = { send: async (body: unknown) => void sent.push(body) };
    const bodies = [
      { hello: "world" },
      envelope("inventory.changed", { sku, onHand: 5, available: 4, seq: 100 }),
      { ...envelope("inventory.changed", { sku, onHand: 1, available: -1, seq: 101 }) },
    ];
    const batch = createMessageBatch("inventory-events", bodies.map(message));
    await consumeEvents(batch, {
      consumer: "test",
      queue: "INVENTORY_EVENTS",
      dedupe: "idempotent",
      db: env.DB,
      handlers: stockSnapshotHandlers(catalogDb(env.DB)),
      deadLetters,
      log: createLogger("test", "error"),
      maxAttempts: 3,
      retryDelaySeconds: 1,
    });
    expect(await availableOf(sku)).toBe(4);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({ queue: "inventory-events", messageId: "m0", reason: expect.stringContaining("not an event envelope") });
    expect(sent[1]).toMatchObject({ messageId: "m2", reason: expect.stringContaining("bad inventory.changed data") });
  });

  it("lets listings filter to products in stock", async () => {
    // The newest product, so it is on the first page of the listing.
    const product = await env.DB.prepare("SELECT id AS product_id FROM products ORDER BY created_at DESC LIMIT 1").first<{
      product_id: string;
    }>();
    await env.DB.prepare("UPDATE variants SET available = 0 WHERE product_id = ?").bind(product?.product_id).run();
    const all = await catalogService().listProducts({ limit: 100 }, call);
    const inStock = await catalogService().listProducts({ limit: 100, inStock: true }, call);
    if (!all.ok || !inStock.ok) throw new Error("listing failed");
    expect(all.value.items.map((p) => p.id)).toContain(product?.product_id);
    expect(inStock.value.items.map((p) => p.id)).not.toContain(product?.product_id);
    expect(inStock.value.items.length).toBeGreaterThan(0);
  });
});
