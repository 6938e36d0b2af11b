import { type D1Db, d1Db } from "#shared/d1.ts";

export type InsightsDb = D1Db;

export const insightsDb = (d1: D1Database): InsightsDb => d1Db(d1);
