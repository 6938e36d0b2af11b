import { asc, eq, like } from "drizzle-orm";
import type { CategoryNode } from "../../../../schema/catalog/dto.ts";
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

/** The ids of a category and every category below it, or null when the slug names no category. */
export async function categorySubtreeIds(db: CatalogDb, slug: string): Promise<string[] | null> {
  const [root] = await db.select({ path: categories.path }).from(categories).where(eq(categories.slug, slug)).limit(1);
  if (root === undefined) return null;
  const rows = await db
    .select({ id: categories.id })
    .from(categories)
    .where(like(categories.path, `${root.path}%`));
  return rows.map((r) => r.id);
}
