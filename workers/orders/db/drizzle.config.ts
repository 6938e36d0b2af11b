import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/orders/db/tables.ts",
  out: "./workers/orders/db/migrations",
});
