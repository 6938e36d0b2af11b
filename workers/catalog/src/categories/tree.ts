import { asc, eq, type SQL, sql } from "drizzle-orm";
import type { CategoryNode } from "#schema/catalog/dto.ts";
import { type CatalogDb, tables } from "../db.ts";

const { categories } = tables;

export async function categoryTree(db: CatalogDb): Promise<CategoryNode[]> {
  const rows = await db
    .select({ id: categories.id, slug: categories.slug, name: categories.name, parentId: categories.parentId })
    .from(categories)
    .orderBy(asc(categories.position), asc(categories.name));
  const nodes = new Map<string, CategoryNode>(rows.map((r) => [r.id, { id: r.id, slug: r.slug, name: r.name, children: [] }]));
  const roots: CategoryNode[] = [];
  for (const row of rows) {
    const node = nodes.get(row.id);
    if (node === undefined) continue;
    const parent = row.parentId === null ? undefined : nodes.get(row.parentId);
    (parent === undefined ? roots : parent.children).push(node);
  }
  return roots;
}

/** The ids of the category named by `slug` and of every category below it, as a subquery. */
export function subtreeIds(slug: string): SQL {
  return sql`(SELECT c.id FROM ${categories} c JOIN ${categories} r ON c.path LIKE r.path || '%' WHERE r.slug = ${slug})`;
}

export async function categoryExists(db: CatalogDb, slug: string): Promise<boolean> {
  const [row] = await db.select({ id: categories.id }).from(categories).where(eq(categories.slug, slug)).limit(1);
  return row !== undefined;
}
