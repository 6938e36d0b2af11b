import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/identity/db/tables.ts",
  out: "./workers/identity/db/migrations",
});
