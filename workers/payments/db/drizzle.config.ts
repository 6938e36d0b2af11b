import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/payments/db/tables.ts",
  out: "./workers/payments/db/migrations",
});
