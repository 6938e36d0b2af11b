import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/operations/tables.ts",
  out: "./schema/operations/migrations",
});
