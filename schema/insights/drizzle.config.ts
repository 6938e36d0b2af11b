import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/insights/tables.ts",
  out: "./schema/insights/migrations",
});
