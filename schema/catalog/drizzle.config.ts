import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/catalog/tables.ts",
  out: "./schema/catalog/migrations",
});
