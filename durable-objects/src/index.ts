import { problem, problemResponse } from "../../workers/shared/src/problem.ts";

export { Cart } from "./cart/cart.ts";
export { Inventory } from "./inventory/inventory.ts";

// The objects are reached through their bindings (storefront, checkout, admin), never over HTTP.
export default {
  fetch: () => Promise.resolve(problemResponse(problem(404, "Durable Objects are reached through their bindings"))),
} satisfies ExportedHandler<DurableObjectsEnv>;
