import { d1Db } from "#shared/d1.ts";
import * as tables from "../db/tables.ts";

export const catalogDb = (d1: D1Database) => d1Db(d1);
export type CatalogDb = ReturnType<typeof catalogDb>;
export { tables };
