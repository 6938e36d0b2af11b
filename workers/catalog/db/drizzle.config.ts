import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/catalog/db/tables.ts",
  out: "./workers/catalog/db/migrations",
});
