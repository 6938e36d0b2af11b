import { d1Db } from "#shared/d1.ts";

export const adminDb = (d1: D1Database) => d1Db(d1);
export type AdminDb = ReturnType<typeof adminDb>;
