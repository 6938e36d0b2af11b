import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/payments/tables.ts",
  out: "./schema/payments/migrations",
});
