import type { AdminProduct } from "#schema/catalog/admin-dto.ts";
import type { EditorValues } from "./views/product-editor.tsx";

const digitsOf = (currency: string): number => {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
};

/** "45.99" in USD → 4599; anything that is not a plain decimal with at most the currency's digits → NaN (a 400). */
export function minorUnits(text: string, currency: string): number {
  const digits = digitsOf(currency);
  const match = /^(\d{1,9})(?:[.,](\d+))?$/.exec(text.trim());
  if (match === null || (match[2] ?? "").length > digits) return Number.NaN;
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? "").padEnd(digits, "0") || "0");
}

const decimal = (amount: number, currency: string): string => {
  const digits = digitsOf(currency);
  return digits === 0 ? String(amount) : `${Math.trunc(amount / 10 ** digits)}.${String(amount % 10 ** digits).padStart(digits, "0")}`;
};

export function editorValues(product: AdminProduct | null): EditorValues {
  if (product === null) {
    return { title: "", description: "", brand: "", category: "", status: "draft", flashSale: false, attributes: [], variants: [] };
  }
  return {
    title: product.title,
    description: product.description,
    brand: product.brand,
    category: product.category.slug,
    status: product.status,
    flashSale: product.flashSale,
    attributes: Object.entries(product.attributes),
    variants: product.variants.map((v) => ({
      sku: v.sku,
      title: v.title,
      price: decimal(v.price.amount, v.price.currency),
      currency: v.price.currency,
    })),
  };
}

/** The editor's form as the API's product body, and as the values to show again if the API refuses it. */
export function productBody(form: Record<string, string | File>): { values: EditorValues; body: Record<string, unknown> } {
  const text = (name: string) => {
    const value = form[name];
    return typeof value === "string" ? value.trim() : "";
  };
  const attributes: [string, string][] = [];
  const variants: EditorValues["variants"] = [];
  for (let i = 0; i < 60; i++) {
    if (text(`attrName${i}`) !== "" || text(`attrValue${i}`) !== "") attributes.push([text(`attrName${i}`), text(`attrValue${i}`)]);
    const variant = {
      sku: text(`sku${i}`),
      title: text(`variantTitle${i}`),
      price: text(`price${i}`),
      currency: text(`currency${i}`) || "USD",
    };
    if (variant.sku !== "" || variant.title !== "" || variant.price !== "") variants.push(variant);
  }
  const values: EditorValues = {
    title: text("title"),
    description: text("description"),
    brand: text("brand"),
    category: text("category"),
    status: text("status") || "draft",
    flashSale: text("flashSale") === "on",
    attributes,
    variants,
  };
  const body = {
    title: values.title,
    description: values.description,
    brand: values.brand,
    category: values.category,
    flashSale: values.flashSale,
    attributes: Object.fromEntries(attributes),
    variants: variants.map((v) => ({
      sku: v.sku,
      title: v.title || "Standard",
      price: { amount: minorUnits(v.price, v.currency), currency: v.currency },
    })),
    ...(values.status === "archived" ? {} : { status: values.status }),
  };
  return { values, body };
}
