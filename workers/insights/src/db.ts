import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as tables from "../db/tables.ts";

export type InsightsDb = DrizzleD1Database<typeof tables>;

export const insightsDb = (d1: D1Database): InsightsDb => drizzle(d1, { schema: tables });
