import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/insights/db/tables.ts",
  out: "./workers/insights/db/migrations",
});
