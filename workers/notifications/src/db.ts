import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as tables from "../db/tables.ts";

export type NotificationsDb = DrizzleD1Database<typeof tables>;
export type EmailRow = typeof tables.emails.$inferSelect;

export const notificationsDb = (d1: D1Database): NotificationsDb => drizzle(d1, { schema: tables });
