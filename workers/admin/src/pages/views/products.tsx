/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { z } from "zod";
import type { AdminProductPage, AdminProductSummary } from "#schema/catalog/admin-dto.ts";
import { Field } from "#shared/web/form-fields.tsx";
import { Badge, dateOf, Money } from "../layout.tsx";

type Summary = z.infer<typeof AdminProductSummary>;

export const ProductList: FC<{ page: AdminProductPage; q: string; status: string }> = ({ page, q, status }) => (
  <>
    <div class="page-head">
      <div>
        <h1>Products</h1>
        <p class="lede">Everything you sell: drafts, live products and (on request) the archive.</p>
      </div>
      <a class="btn primary" href="/admin/products/new">
        New product
      </a>
    </div>
    <div class="card">
      <search>
        <form method="get" action="/admin/products" class="toolbar">
          <Field name="q" label="Search" type="search" value={q} placeholder="Title, brand, attribute…" />
          <div class="field">
            <label for="status">Status</label>
            <select id="status" name="status">
              {[
                ["", "Drafts and active"],
                ["active", "Active"],
                ["draft", "Draft"],
                ["archived", "Archived"],
              ].map(([value, label]) => (
                <option value={value} selected={value === status}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <button class="btn secondary" type="submit">
            Filter
          </button>
        </form>
      </search>
      {page.items.length === 0 ? (
        <p class="empty">No products match. Create one, or change the filter.</p>
      ) : (
        <table>
          <caption class="muted table-caption">{page.items.length} shown</caption>
          <thead>
            <tr>
              <th scope="col">
                <span class="muted">Image</span>
              </th>
              <th scope="col">Product</th>
              <th scope="col">Category</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                From
              </th>
              <th scope="col">Edited</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((p: Summary) => (
              <tr>
                <td>
                  {p.image === null ? (
                    <span class="thumb" aria-hidden="true" />
                  ) : (
                    <img class="thumb" src={p.image.url} alt={p.image.alt} width={44} height={44} loading="lazy" />
                  )}
                </td>
                <td>
                  <a href={`/admin/products/${p.id}`}>{p.title}</a>
                  <div class="muted">
                    {p.brand} · {p.variantCount} variant{p.variantCount === 1 ? "" : "s"}
                    {p.flashSale ? " · flash sale" : ""}
                  </div>
                </td>
                <td>{p.category.name}</td>
                <td>
                  <Badge status={p.status} />
                </td>
                <td class="num">
                  <Money amount={p.price.amount} currency={p.price.currency} />
                </td>
                <td class="muted">{dateOf(p.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.nextCursor === null ? null : (
        <div class="pager">
          <a class="btn secondary" href={`/admin/products?${new URLSearchParams({ q, status, cursor: page.nextCursor }).toString()}`}>
            Next page
          </a>
        </div>
      )}
    </div>
  </>
);
