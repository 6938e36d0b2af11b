import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { newSigningKeys } from "./scripts/dev-vars.ts";

// Two kinds of test: inside workerd with the Worker's real bindings (D1, R2) and migrations applied,
// and system tests that boot the whole platform the way `npm start` does and speak HTTP to it.
const catalogMigrations = await readD1Migrations("workers/catalog/db/migrations");

export default defineConfig({
  test: {
    // Worker logs are shown for failing tests only.
    silent: "passed-only",
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./workers/catalog/wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: catalogMigrations,
                CURSOR_SECRET: "test-cursor-secret-0123456789abcdef",
                LOG_LEVEL: "debug",
              },
            },
          }),
        ],
        test: {
          name: "catalog",
          include: ["workers/catalog/test/**/*.test.ts"],
          setupFiles: ["workers/catalog/test/apply-migrations.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./durable-objects/wrangler.toml" },
            // The objects under test need no catalog; the binding points at a Worker that says so.
            miniflare: {
              serviceBindings: { CATALOG: () => new Response("no catalog in these tests", { status: 503 }) },
            },
          }),
        ],
        test: {
          name: "durable-objects",
          include: ["durable-objects/test/**/*.test.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./workers/identity/wrangler.toml" },
            miniflare: {
              bindings: { TEST_MIGRATIONS: await readD1Migrations("workers/identity/db/migrations"), JWT_SIGNING_KEYS: newSigningKeys() },
            },
          }),
        ],
        test: {
          name: "identity",
          include: ["workers/identity/test/**/*.test.ts"],
          setupFiles: ["workers/identity/test/apply-migrations.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./workers/payments/wrangler.toml" },
            // The service runs the test provider; the Stripe and PayPal adapters are tested with a recorder.
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("workers/payments/db/migrations"),
                LOG_LEVEL: "debug",
                PAYMENT_PROVIDER: "test",
                TEST_PAYMENTS: "on",
              },
            },
          }),
        ],
        test: {
          name: "payments",
          include: ["workers/payments/test/**/*.test.ts"],
          setupFiles: ["workers/payments/test/apply-migrations.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./workers/orders/wrangler.toml" },
            // The state machine and the order store need only D1; the other Workers answer that they are absent.
            miniflare: {
              bindings: { TEST_MIGRATIONS: await readD1Migrations("workers/orders/db/migrations") },
              serviceBindings: { PAYMENTS: () => new Response("no payments in these tests", { status: 503 }) },
              // The Cart and Inventory bindings name the durable-objects Worker: a stand-in that defines the classes.
              workers: [
                {
                  name: "durable-objects",
                  modules: true,
                  script: `import { DurableObject } from "cloudflare:workers";
                    export class Cart extends DurableObject {}
                    export class Inventory extends DurableObject {}
                    export default { fetch: () => new Response("stand-in", { status: 503 }) };`,
                  durableObjects: { CART: "Cart", INVENTORY: "Inventory" },
                  compatibilityDate: "2026-11-01",
                },
              ],
            },
          }),
        ],
        test: {
          name: "orders",
          include: ["workers/orders/test/**/*.test.ts"],
          exclude: ["workers/orders/test/pricing.test.ts", "workers/orders/test/checkout-flow.test.ts"],
          setupFiles: ["workers/orders/test/apply-migrations.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./workers/insights/wrangler.toml" },
            miniflare: { bindings: { TEST_MIGRATIONS: await readD1Migrations("workers/insights/db/migrations") } },
          }),
        ],
        test: {
          name: "insights",
          include: ["workers/insights/test/**/*.test.ts"],
          setupFiles: ["workers/insights/test/apply-migrations.ts"],
        },
      },
      {
        test: {
          name: "shared",
          include: [
            "workers/shared/test/**/*.test.ts",
            "workers/orders/test/pricing.test.ts",
            "workers/orders/test/checkout-flow.test.ts",
            "workers/fulfillment/test/**/*.test.ts",
            "workers/notifications/test/**/*.test.ts",
            "workers/admin/test/**/*.test.ts",
            "workers/storefront/test/**/*.test.ts",
            "scripts/test/**/*.test.ts",
          ],
          environment: "node",
        },
      },
      {
        test: {
          name: "bench-smoke",
          include: ["bench/test/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "system",
          include: ["test/system/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // Pages in Debian's Chromium (playwright-core), against the platform as `npm start` runs it.
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
