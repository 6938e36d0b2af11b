// Every Worker of the platform, in start order: the first one serves the shopper port.
// The wrangler configs stay the single source of bindings; this list only says where they are.
import type { WorkerSpec } from "./miniflare-launch.ts";

export const WORKERS: readonly WorkerSpec[] = [
  { name: "storefront", config: "workers/storefront/wrangler.toml" },
  { name: "catalog", config: "workers/catalog/wrangler.toml" },
  { name: "durable-objects", config: "durable-objects/wrangler.toml" },
  { name: "identity", config: "workers/identity/wrangler.toml" },
  { name: "payments", config: "workers/payments/wrangler.toml" },
  { name: "orders", config: "workers/orders/wrangler.toml" },
  { name: "fulfillment", config: "workers/fulfillment/wrangler.toml" },
  { name: "notifications", config: "workers/notifications/wrangler.toml" },
  { name: "insights", config: "workers/insights/wrangler.toml" },
  { name: "admin", config: "workers/admin/wrangler.toml" },
];
