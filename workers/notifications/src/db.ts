import { type D1Db, d1Db } from "#shared/d1.ts";
import type * as tables from "../db/tables.ts";

export type NotificationsDb = D1Db;
export type EmailRow = typeof tables.emails.$inferSelect;

export const notificationsDb = (d1: D1Database): NotificationsDb => d1Db(d1);
