import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/fulfillment/db/tables.ts",
  out: "./workers/fulfillment/db/migrations",
});
