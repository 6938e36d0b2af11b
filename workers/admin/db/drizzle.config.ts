import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/admin/db/tables.ts",
  out: "./workers/admin/db/migrations",
});
