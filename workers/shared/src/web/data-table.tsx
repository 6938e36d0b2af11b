/** @jsxImportSource hono/jsx */
import type { Child, FC } from "hono/jsx";

export type Column = { label: string; numeric?: boolean };

/**
 * A table with scoped column headers (numbers right-aligned with class `num`, as both stylesheets set them), or
 * what the page says when there is nothing (`empty`) instead of an empty table.
 */
export const DataTable: FC<{ columns: readonly Column[]; empty: Child; count: number; testid?: string; children?: Child }> = (p) =>
  p.count === 0 ? (
    <>{p.empty}</>
  ) : (
    <table data-testid={p.testid}>
      <thead>
        <tr>
          {p.columns.map((col) => (
            <th scope="col" class={col.numeric ? "num" : undefined}>
              {col.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{p.children}</tbody>
    </table>
  );
