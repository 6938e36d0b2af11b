import { sha256Hex } from "../crypto.ts";
import { blobBytes, blobHex } from "./sql-text.ts";

export type Row = Record<string, unknown>;

/**
 * A cell in a form JSON keeps exactly: text and numbers as they are, a BLOB as `{ "blob": hex }` (D1 hands BLOBs
 * out as arrays of bytes, Miniflare's Node proxy may hand out an ArrayBuffer: both read the same here).
 */
function canonical(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  const bytes = typeof value === "object" && value !== null ? blobBytes(value) : null;
  return bytes === null ? value : { blob: blobHex(bytes) };
}

/**
 * A table's checksum: SHA-256 over its rows in the order given (the caller reads them by primary key), each row
 * the JSON array of its cells in column order (rowid first where it is kept), one row a line. Any changed cell,
 * rowid, row or order changes it.
 */
export async function rowsChecksum(columns: readonly string[], rows: readonly Row[]): Promise<string> {
  let text = "";
  for (const row of rows) text += `${JSON.stringify(columns.map((c) => canonical(row[c])))}\n`;
  return sha256Hex(text);
}
