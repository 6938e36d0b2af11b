// SQL text for a backup file: every statement on one line, so a restore can split the file by lines and
// `wrangler d1 execute --file` (which splits statements itself) reads the same statements.

/** A value as D1 hands it out: text, a number, NULL, or a BLOB (an array of bytes through the binding). */
export type CellValue = string | number | bigint | null | undefined | number[] | ArrayBuffer | Uint8Array;

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** The bytes of a BLOB cell, whichever way the binding gave them; null when the cell is not a BLOB. */
export function blobBytes(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  return null;
}

export const blobHex = (bytes: Uint8Array): string => hex(bytes);

// Line breaks and other control characters would split the line (or be mangled by a text editor): such text is
// written as its UTF-8 bytes, cast back to TEXT.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A cell as an SQL literal that reads back as the same value. */
export function sqlLiteral(value: CellValue): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NULL"; // SQLite stores NaN as NULL itself
    if (!Number.isFinite(value)) return value > 0 ? "9e999" : "-9e999";
    return String(value);
  }
  if (typeof value === "string") {
    if (CONTROL.test(value)) return `CAST(X'${hex(new TextEncoder().encode(value))}' AS TEXT)`;
    return `'${value.replaceAll("'", "''")}'`;
  }
  const bytes = blobBytes(value);
  if (bytes === null) throw new Error(`not an SQL value: ${typeof value}`);
  return `X'${hex(bytes)}'`;
}

/**
 * A schema statement (as sqlite_master keeps it) on one line: line breaks and runs of spaces between tokens become
 * one space, and `--` comments are dropped. A line break inside a quoted string or name cannot be moved, so it is
 * refused: the backup fails loudly rather than writing a file that restores something else.
 */
export function oneLine(sql: string): string {
  let out = "";
  const space = () => {
    if (out !== "" && !out.endsWith(" ")) out += " ";
  };
  for (let i = 0; i < sql.length; i++) {
    const ch = sql.charAt(i);
    const close = ch === "[" ? "]" : ch === "'" || ch === '"' || ch === "`" ? ch : null;
    if (close !== null) {
      const end = sql.indexOf(close, i + 1);
      const quoted = sql.slice(i, end === -1 ? sql.length : end + 1);
      if (/[\r\n]/.test(quoted)) throw new Error(`a line break inside a quoted part of: ${sql.slice(0, 80)}`);
      out += quoted;
      i += quoted.length - 1;
    } else if (ch === "-" && sql.charAt(i + 1) === "-") {
      while (i + 1 < sql.length && sql.charAt(i + 1) !== "\n") i++;
      space();
    } else if (ch === "/" && sql.charAt(i + 1) === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 1;
      space();
    } else if (/\s/.test(ch)) {
      space();
    } else {
      out += ch;
    }
  }
  return out.trim();
}
