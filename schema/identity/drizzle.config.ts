import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/identity/tables.ts",
  out: "./schema/identity/migrations",
});
