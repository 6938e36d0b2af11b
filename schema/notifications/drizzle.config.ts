import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/notifications/tables.ts",
  out: "./schema/notifications/migrations",
});
