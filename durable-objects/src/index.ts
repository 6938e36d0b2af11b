import { consumeEvents, retryPolicy } from "#shared/event-consumer.ts";
import { healthOnlyFetch, healthReport, serviceProbe } from "#shared/health.ts";
import { createLogger, parseLogLevel } from "#shared/logger.ts";
import { problem, problemResponse } from "#shared/problem.ts";
import { eraseCartHandlers } from "./cart/erased-users.ts";

export { Cart } from "./cart/cart.ts";
export { Inventory } from "./inventory/inventory.ts";
export { StockLevels } from "./inventory/stock-levels.ts";

// The objects are reached through their bindings (storefront, checkout, admin), never over HTTP.
export default {
  fetch: healthOnlyFetch(
    // The objects answer through their bindings; what this Worker itself depends on is the catalog (prices).
    (env: DurableObjectsEnv) => healthReport("durable-objects", { catalog: serviceProbe(env.CATALOG) }),
    () => problemResponse(problem(404, "Durable Objects are reached through their bindings")),
  ),
  async queue(batch, env) {
    const log = createLogger("durable-objects", parseLogLevel(env.LOG_LEVEL), { queue: batch.queue });
    await consumeEvents(batch, {
      consumer: "durable-objects",
      queue: "IDENTITY_EVENTS",
      dedupe: "idempotent",
      handlers: eraseCartHandlers(env.CART),
      deadLetters: env.DEAD_LETTERS,
      log,
      ...retryPolicy(env),
    });
  },
} satisfies ExportedHandler<DurableObjectsEnv>;
