import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/fulfillment/tables.ts",
  out: "./schema/fulfillment/migrations",
});
