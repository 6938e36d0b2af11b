/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { AdminProduct } from "#schema/catalog/admin-dto.ts";
import type { Problem } from "#schema/problem.ts";
import { Field, ProblemBox } from "#shared/web/form-fields.tsx";
import { Badge, Csrf, dateOf } from "../layout.tsx";

export type EditorValues = {
  title: string;
  description: string;
  brand: string;
  category: string;
  status: string;
  flashSale: boolean;
  attributes: [string, string][];
  variants: { sku: string; title: string; price: string; currency: string }[];
};
export type StockInfo = {
  onHand: number;
  held: number;
  available: number;
  movements: { kind: string; delta: number; reason: string; at: number }[];
};
export type CategoryOption = { slug: string; label: string };

const CURRENCIES = ["USD", "EUR", "GBP", "CAD", "JPY"];

/** The ids an input is described by: its hint, and the problem box when the API named this field. */
const describedBy = (...ids: (string | false | undefined)[]): string | undefined => ids.filter(Boolean).join(" ") || undefined;

/** Whether the API's problem names this field (`title`, `variants.0.price.amount`, …). */
const flagged = (problem: Problem | null, path: string): boolean =>
  problem?.errors?.some((e) => e.field === path || e.field.startsWith(`${path}.`)) ?? false;

/** An API field path as the editor labels it: `variants.0.price.amount` → "Price 1". */
function fieldLabel(field: string): string {
  const variant = /^variants\.(\d+)\.(sku|title|price)/.exec(field);
  if (variant !== null) {
    const n = Number(variant[1]) + 1;
    return variant[2] === "sku" ? `SKU ${n}` : variant[2] === "title" ? `Variant ${n} title` : `Price ${n}`;
  }
  const top = field.split(".")[0] ?? field;
  return (
    {
      title: "Title",
      brand: "Brand",
      description: "Description",
      category: "Category",
      status: "Status",
      attributes: "Attributes",
      variants: "Variants",
    }[top] ?? field
  );
}

export const ProductEditor: FC<{
  product: AdminProduct | null;
  values: EditorValues;
  categories: CategoryOption[];
  stock: Record<string, StockInfo>;
  problem: Problem | null;
  csrf: string;
}> = ({ product, values, categories, stock, problem, csrf }) => {
  // A few empty rows to add attributes and variants without any script.
  const attributes = [...values.attributes, ["", ""], ["", ""]] as [string, string][];
  const variants = [...values.variants, { sku: "", title: "", price: "", currency: values.variants[0]?.currency ?? "USD" }];
  return (
    <>
      <div class="page-head">
        <div>
          <h1>{product === null ? "New product" : product.title}</h1>
          <p class="lede">
            {product === null ? (
              "Shoppers see it once it is active."
            ) : (
              <>
                <Badge status={product.status} /> <span class="mono">{product.slug}</span> · edited {dateOf(product.updatedAt)}
              </>
            )}
          </p>
        </div>
        <a class="btn secondary" href="/admin/products">
          All products
        </a>
      </div>
      <ProblemBox problem={problem} class="flash bad" id="form-problem" labelOf={fieldLabel} />
      <form
        method="post"
        action={product === null ? "/admin/products/new" : `/admin/products/${product.id}`}
        class="card"
        aria-describedby={problem ? "form-problem" : undefined}
      >
        <Csrf token={csrf} />
        <h2>Details</h2>
        <div class="grid2">
          <Field name="title" label="Title" value={values.title} required invalid={flagged(problem, "title")} describedBy="form-problem" />
          <Field name="brand" label="Brand" value={values.brand} required invalid={flagged(problem, "brand")} describedBy="form-problem" />
        </div>
        <div class="field">
          <label for="description">Description</label>
          <textarea
            id="description"
            name="description"
            aria-invalid={flagged(problem, "description") ? "true" : undefined}
            aria-describedby={describedBy(flagged(problem, "description") && "form-problem")}
          >
            {values.description}
          </textarea>
        </div>
        <div class="grid3">
          <div class="field">
            <label for="category">Category</label>
            <select
              id="category"
              name="category"
              required
              aria-invalid={flagged(problem, "category") ? "true" : undefined}
              aria-describedby={describedBy(flagged(problem, "category") && "form-problem")}
            >
              {categories.map((c) => (
                <option value={c.slug} selected={c.slug === values.category}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="status">Status</label>
            <select id="status" name="status">
              {["draft", "active", ...(product === null ? [] : ["archived"])].map((s) => (
                <option value={s} selected={s === values.status}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <span class="label" id="flash-label">
              Flash sale
            </span>
            <label class="check">
              <input type="checkbox" name="flashSale" value="on" checked={values.flashSale} aria-describedby="flash-hint" /> Hold stock at
              add-to-cart
            </label>
            <span class="hint" id="flash-hint">
              For limited drops: each shopper may hold only a few.
            </span>
          </div>
        </div>

        <h2>Attributes</h2>
        <p class="hint">Your own keys: ISBN, voltage, material… Shoppers filter by them.</p>
        <div class="rows">
          {attributes.map(([name, value], i) => (
            <div class="row attr">
              <Field id={`attr-name-${i}`} name={`attrName${i}`} label={`Attribute ${i + 1} name`} value={name} />
              <Field id={`attr-value-${i}`} name={`attrValue${i}`} label={`Attribute ${i + 1} value`} value={value} />
            </div>
          ))}
        </div>

        <h2>Variants and prices</h2>
        <p class="hint">
          Every SKU is unique across the shop and never reused: a variant you clear is archived, keeping its SKU and stock history. Prices
          in the currency's units, e.g. 45.99.
        </p>
        <div class="rows">
          {variants.map((v, i) => (
            <div class="row variant">
              <Field
                id={`sku-${i}`}
                name={`sku${i}`}
                label={`SKU ${i + 1}`}
                value={v.sku}
                inputClass="mono"
                invalid={flagged(problem, `variants.${i}.sku`)}
                describedBy="form-problem"
              />
              <Field
                id={`vtitle-${i}`}
                name={`variantTitle${i}`}
                label={`Variant ${i + 1} title`}
                value={v.title}
                invalid={flagged(problem, `variants.${i}.title`)}
                describedBy="form-problem"
              />
              <Field
                id={`price-${i}`}
                name={`price${i}`}
                label={`Price ${i + 1}`}
                inputmode="decimal"
                value={v.price}
                invalid={flagged(problem, `variants.${i}.price`)}
                describedBy="form-problem"
              />
              <div class="field">
                <label for={`currency-${i}`}>Currency {i + 1}</label>
                <select id={`currency-${i}`} name={`currency${i}`}>
                  {CURRENCIES.map((code) => (
                    <option value={code} selected={code === v.currency}>
                      {code}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          ))}
        </div>
        <p>
          <button class="btn primary" type="submit">
            {product === null ? "Create product" : "Save changes"}
          </button>
        </p>
      </form>

      {product === null ? null : (
        <>
          <section class="card" aria-labelledby="images-title">
            <h2 id="images-title">Images</h2>
            {product.images.length === 0 ? <p class="muted">No images yet. The first one is the listing's picture.</p> : null}
            <div class="gallery">
              {product.images.map((img) => (
                <figure>
                  <img src={img.url} alt={img.alt} width={img.width} height={img.height} loading="lazy" />
                  <figcaption>
                    {img.width}×{img.height} · {Math.ceil(img.bytes / 1024)} KB{img.position === 0 ? " · main" : ""}
                  </figcaption>
                  <form method="post" action={`/admin/products/${product.id}/images/${img.key}/delete`} class="inline">
                    <Csrf token={csrf} />
                    <button class="btn danger small" type="submit" aria-label={`Remove image ${img.alt || img.key}`}>
                      Remove
                    </button>
                  </form>
                </figure>
              ))}
            </div>
            <form method="post" action={`/admin/products/${product.id}/images`} enctype="multipart/form-data" class="inline">
              <Csrf token={csrf} />
              <Field
                id="image-file"
                name="file"
                label="Image file"
                type="file"
                accept="image/png,image/jpeg,image/gif,image/webp"
                required
                hint="PNG, JPEG, GIF or WebP, up to 5 MiB."
              />
              <Field id="image-alt" name="alt" label="Alt text" />
              <div class="field">
                <button class="btn secondary" type="submit">
                  Upload
                </button>
              </div>
            </form>
          </section>

          <section class="card" aria-labelledby="stock-title">
            <h2 id="stock-title">Stock</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">SKU</th>
                  <th scope="col" class="num">
                    On hand
                  </th>
                  <th scope="col" class="num">
                    Held
                  </th>
                  <th scope="col" class="num">
                    Available
                  </th>
                  <th scope="col">Recent movements</th>
                  <th scope="col">Adjust</th>
                </tr>
              </thead>
              <tbody>
                {product.variants.map((v, i) => {
                  const s = stock[v.sku];
                  const recent = s?.movements.slice(0, 3) ?? [];
                  return (
                    <tr>
                      <th scope="row" class="mono">
                        {v.sku}
                      </th>
                      <td class="num" data-testid={`on-hand-${v.sku}`}>
                        {s?.onHand ?? "—"}
                      </td>
                      <td class="num">{s?.held ?? "—"}</td>
                      <td class="num">{s?.available ?? "—"}</td>
                      <td class="muted">
                        {recent.length === 0
                          ? "none"
                          : recent.map((m) => (
                              <div>
                                {`${m.delta > 0 ? "+" : ""}${m.delta} · ${m.reason}`} <span class="hint">{dateOf(m.at)}</span>
                              </div>
                            ))}
                      </td>
                      <td>
                        <form method="post" action={`/admin/inventory/${encodeURIComponent(v.sku)}/adjust`} class="inline">
                          <Csrf token={csrf} />
                          <input type="hidden" name="productId" value={product.id} />
                          <Field id={`delta-${i}`} name="delta" label="Change by" type="number" step={1} required inputClass="w-xs" />
                          <Field id={`reason-${i}`} name="reason" label="Reason" required placeholder="Delivery, count…" />
                          <div class="field">
                            <button class="btn secondary small" type="submit">
                              Apply
                            </button>
                          </div>
                        </form>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {product.archivedVariants.length === 0 ? null : (
              <p class="hint" data-testid="archived-variants">
                Removed variants (archived; their SKUs are never used again):{" "}
                {product.archivedVariants.map((v, i) => (
                  <>
                    {i > 0 ? ", " : ""}
                    <span class="mono">{v.sku}</span> ({v.title}, {dateOf(v.archivedAt)})
                  </>
                ))}
              </p>
            )}
          </section>

          {product.status === "archived" ? null : (
            <form method="post" action={`/admin/products/${product.id}/archive`} class="inline">
              <Csrf token={csrf} />
              <button class="btn danger" type="submit">
                Archive product
              </button>
            </form>
          )}
        </>
      )}
    </>
  );
};
