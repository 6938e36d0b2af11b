import { drizzle } from "drizzle-orm/d1";
import * as tables from "../db/tables.ts";

export const adminDb = (d1: D1Database) => drizzle(d1, { schema: tables });
export type AdminDb = ReturnType<typeof adminDb>;
