import { DEPARTMENTS, type Leaf } from "./departments.ts";
import { encodePng } from "./png.ts";
import { createRng, type Rng } from "./random.ts";

export const DEFAULT_DEMO_SIZE = 1200;
export const DEFAULT_DEMO_SEED = 20261121;
const CURRENCY = "USD";
// Products were "created" one every 37 minutes from this instant, so "newest" has a fixed, tie-free order.
const EPOCH = Date.UTC(2025, 0, 1);

export type CategoryRow = { id: string; slug: string; name: string; parentId: string | null; path: string; position: number };
export type DemoVariant = {
  sku: string;
  title: string;
  options: Record<string, string>;
  priceAmount: number;
  currency: string;
  available: number;
};
export type DemoProduct = {
  id: string;
  slug: string;
  merchantId: string;
  title: string;
  description: string;
  brand: string;
  categoryId: string;
  priceMin: number;
  currency: string;
  flashSale: boolean;
  createdAt: number;
  attributes: Record<string, string>;
  variants: DemoVariant[];
  image: { hue: number; accent: number; shape: number; alt: string };
};

export function demoCategories(): CategoryRow[] {
  const rows: CategoryRow[] = [];
  DEPARTMENTS.forEach((dept, d) => {
    const parentId = `cat_${dept.slug}`;
    rows.push({ id: parentId, slug: dept.slug, name: dept.name, parentId: null, path: `/${dept.slug}/`, position: d });
    dept.leaves.forEach((leaf, l) => {
      rows.push({ id: `cat_${leaf.slug}`, slug: leaf.slug, name: leaf.name, parentId, path: `/${dept.slug}/${leaf.slug}/`, position: l });
    });
  });
  return rows;
}

const slugify = (text: string): string =>
  text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");

// Prices end in .99 or .00, like a shop's would.
const price = (rng: Rng, [min, max]: readonly [number, number]): number => {
  const dollars = Math.floor(rng.int(min, max) / 100);
  return dollars * 100 + (rng.chance(0.7) ? 99 : 0);
};

// Most SKUs are plentiful, a few dozen are scarce (1–20), some are sold out.
const stock = (rng: Rng): number => {
  const roll = rng.next();
  if (roll < 0.02) return 0;
  if (roll < 0.035) return rng.int(1, 20);
  return rng.int(40, 500);
};

function productFor(rng: Rng, index: number, leaf: Leaf): DemoProduct {
  const id = `prd_${(index + 1).toString(36).padStart(5, "0")}`;
  const brand = rng.pick(leaf.brands);
  const title = leaf.titled
    ? `${rng.pick(leaf.qualifiers)} ${rng.pick(leaf.nouns)}`
    : `${brand} ${rng.pick(leaf.qualifiers)} ${rng.pick(leaf.nouns)} ${String.fromCharCode(65 + rng.int(0, 25))}${rng.int(1, 9)}`;
  const attributes = leaf.attributes(rng);
  const base = price(rng, leaf.price);
  const variants = leaf.variants(rng).map((spec, v) => ({
    sku: `${leaf.slug.slice(0, 3).toUpperCase()}-${(index + 1).toString(36).toUpperCase().padStart(5, "0")}-${v + 1}`,
    title: spec.title,
    options: spec.options,
    priceAmount: base + v * (rng.chance(0.5) ? 1000 : 0),
    currency: CURRENCY,
    available: stock(rng),
  }));
  const facts = Object.entries(attributes)
    .slice(0, 3)
    .map(([k, v]) => `${k.replaceAll("-", " ")}: ${v}`)
    .join(", ");
  const byline = attributes.author === undefined ? `from ${brand}` : `by ${attributes.author} (${brand})`;
  const description = `${title} ${byline}. ${rng.pick(leaf.blurb)} ${rng.pick(leaf.blurb)} Key facts — ${facts}.`;
  return {
    id,
    slug: `${slugify(title)}-${(index + 1).toString(36)}`,
    merchantId: rng.pick(leaf.merchants),
    title,
    description,
    brand,
    categoryId: `cat_${leaf.slug}`,
    priceMin: Math.min(...variants.map((v) => v.priceAmount)),
    currency: CURRENCY,
    // A few products are on flash sale: their stock is held at add-to-cart.
    flashSale: rng.chance(0.03),
    createdAt: EPOCH + index * 37 * 60_000,
    attributes,
    variants,
    image: { hue: rng.int(0, 359), accent: rng.int(0, 359), shape: rng.int(0, 2), alt: `${title}, product photo` },
  };
}

/** The demo products, in creation order; the same (size, seed) always gives the same products. */
export function* demoProducts(size = DEFAULT_DEMO_SIZE, seed = DEFAULT_DEMO_SEED): Generator<DemoProduct> {
  const rng = createRng(seed);
  const leaves = DEPARTMENTS.flatMap((d) => d.leaves);
  for (let i = 0; i < size; i++) {
    // Round-robin first so every leaf is stocked, then weighted at random.
    const leaf = i < leaves.length ? leaves[i] : rng.pick(leaves);
    if (leaf === undefined) throw new Error("no leaf categories");
    yield productFor(rng, i, leaf);
  }
}

const hsl = (h: number, s: number, l: number): [number, number, number] => {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
};

export const DEMO_IMAGE_SIZE = 128;

/** A small, real PNG for a product: a gradient with a shape and a little grain, different for every product. */
export function demoImage(product: DemoProduct): Promise<Uint8Array> {
  const { hue, accent, shape } = product.image;
  const n = DEMO_IMAGE_SIZE;
  const c = n / 2;
  const inside = (x: number, y: number): boolean =>
    shape === 0
      ? (x - c) ** 2 + (y - c) ** 2 < (n / 3.2) ** 2
      : shape === 1
        ? Math.abs(x - c) < n / 4 && Math.abs(y - c) < n / 4
        : Math.abs(x - c) + Math.abs(y - c) < n / 3;
  const background = Array.from({ length: n }, (_, y) => hsl(hue, 0.45, 0.88 - (y / n) * 0.25));
  const figure = hsl(accent, 0.65, 0.5);
  // Grain, as a photo has, so the file weighs a few KiB rather than a flat few hundred bytes.
  const grain = createRng(hue * 360 + accent);
  const clamp = (v: number): number => Math.max(0, Math.min(255, v));
  return encodePng(n, n, (x, y) => {
    const [r, g, b] = inside(x, y) ? figure : (background[y] ?? figure);
    const d = grain.next() < 0.12 ? (grain.next() < 0.5 ? -3 : 3) : 0;
    return [clamp(r + d), clamp(g + d), clamp(b + d)];
  });
}
