import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/orders/tables.ts",
  out: "./schema/orders/migrations",
});
