import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/notifications/db/tables.ts",
  out: "./workers/notifications/db/migrations",
});
