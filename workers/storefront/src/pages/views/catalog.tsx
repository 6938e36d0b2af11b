/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { ProductDetail, ProductPage, ProductSummary } from "#schema/catalog/dto.ts";
import type { ReviewPage } from "#schema/catalog/review-dto.ts";
import { Field } from "#shared/web/form-fields.tsx";
import { Grid, money, Stars } from "../layout.tsx";

export const Home: FC<{ trending: ProductSummary[]; newest: ProductSummary[] }> = ({ trending, newest }) => (
  <>
    <section class="hero">
      <h1>Good things, shipped fast.</h1>
      <p>Electronics, outdoor gear and books from independent merchants: one cart, one checkout.</p>
      <a class="btn secondary" href="/search?q=">
        Browse everything
      </a>
    </section>
    {trending.length > 0 ? (
      <section aria-labelledby="trending">
        <h2 id="trending">Trending now</h2>
        <Grid items={trending} />
      </section>
    ) : null}
    <section aria-labelledby="new" class="section">
      <h2 id="new">New in</h2>
      <Grid items={newest} />
    </section>
  </>
);

export type ListingState = { path: string; title: string; q: string; params: URLSearchParams };

/** Filters are a GET form: they work without script, and the URL is the whole state (shareable, cacheable). */
const Facets: FC<{ page: ProductPage; state: ListingState }> = ({ page, state }) => {
  const f = page.facets;
  if (f === undefined) return null;
  const chosen = (name: string, value: string) => state.params.getAll(name).includes(value);
  return (
    <form method="get" action={state.path} class="facets" aria-label="Filters">
      {state.q ? <input type="hidden" name="q" value={state.q} /> : null}
      {f.brand.length > 0 ? (
        <fieldset>
          <legend>Brand</legend>
          {f.brand.slice(0, 12).map((b) => (
            <label>
              <input type="checkbox" name="brand" value={b.value} checked={chosen("brand", b.value)} /> {b.value}{" "}
              <span class="n">({b.count})</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      {f.priceBand.some((b) => b.count > 0) ? (
        <fieldset>
          <legend>Price</legend>
          <label>
            <input type="radio" name="price" value="" checked={!state.params.get("price")} /> Any price
          </label>
          {f.priceBand
            .filter((b) => b.count > 0)
            .map((b) => {
              const value = `${b.min}-${b.max ?? ""}`;
              const currency = page.items[0]?.price.currency ?? "USD";
              const label =
                b.max === null
                  ? `${money({ amount: b.min, currency })} and up`
                  : `${money({ amount: b.min, currency })} – ${money({ amount: b.max, currency })}`;
              return (
                <label>
                  <input type="radio" name="price" value={value} checked={state.params.get("price") === value} /> {label}{" "}
                  <span class="n">({b.count})</span>
                </label>
              );
            })}
        </fieldset>
      ) : null}
      {f.rating.some((r) => r.count > 0) ? (
        <fieldset>
          <legend>Rating</legend>
          {f.rating
            .filter((r) => r.count > 0)
            .map((r) => (
              <label>
                <input type="radio" name="ratingMin" value={r.value} checked={state.params.get("ratingMin") === r.value} /> {r.value}★ and
                up <span class="n">({r.count})</span>
              </label>
            ))}
        </fieldset>
      ) : null}
      <fieldset>
        <legend>Availability</legend>
        <label>
          <input type="checkbox" name="inStock" value="true" checked={state.params.get("inStock") === "true"} /> In stock only{" "}
          <span class="n">({f.inStock.count})</span>
        </label>
      </fieldset>
      <button class="btn primary" type="submit">
        Apply filters
      </button>
    </form>
  );
};

export const Listing: FC<{ page: ProductPage; state: ListingState }> = ({ page, state }) => {
  const next = new URLSearchParams(state.params);
  if (page.nextCursor !== null) next.set("cursor", page.nextCursor);
  return (
    <>
      <h1>{state.title}</h1>
      <p class="lede">
        {page.items.length === 0 ? "Nothing matches: try fewer filters." : "Newest first; narrow it down with the filters."}
      </p>
      <div class="layout">
        <aside>
          <Facets page={page} state={state} />
        </aside>
        <section aria-label="Products">
          <Grid items={page.items} />
          {page.nextCursor === null ? null : (
            <nav class="pager" aria-label="Pages">
              <a class="btn secondary" href={`${state.path}?${next.toString()}`} rel="next">
                Next page
              </a>
            </nav>
          )}
        </section>
      </div>
    </>
  );
};

type PageDetail = ProductDetail & { recommendations: ProductSummary[] };

const availability = (n: number) =>
  n === 0
    ? { text: "Out of stock", cls: "avail out" }
    : n <= 5
      ? { text: `Only ${n} left`, cls: "avail low" }
      : { text: "In stock", cls: "avail" };

/** An add-to-cart that failed: what was chosen and typed, and why it did not go in the cart. */
export type AddToCartAttempt = { sku: string; quantity: string; message: string };

export const ProductView: FC<{ product: PageDetail; reviews: ReviewPage | null; attempt?: AddToCartAttempt | null }> = ({
  product,
  reviews,
  attempt = null,
}) => {
  const first = product.images[0];
  const buyable = product.variants.filter((v) => v.available > 0);
  const chosen = buyable.find((v) => v.sku === attempt?.sku);
  const preselected = (chosen ?? buyable[0] ?? product.variants[0])?.sku;
  return (
    <>
      <nav aria-label="Breadcrumb" class="muted crumbs">
        <a href="/">Home</a>
        {product.category.path.map((c) => (
          <>
            {" / "}
            <a href={`/c/${c.slug}`}>{c.name}</a>
          </>
        ))}
      </nav>
      <div class="product">
        <div class="gallery">
          {first === undefined ? null : <img src={first.url} alt={first.alt} width={first.width} height={first.height} />}
          {product.images.length > 1 ? (
            <div class="thumbs">
              {product.images.slice(1).map((img) => (
                <img src={img.url} alt={img.alt} width={img.width} height={img.height} loading="lazy" />
              ))}
            </div>
          ) : null}
        </div>
        <div>
          <p class="muted flush">{product.brand}</p>
          <h1>{product.title}</h1>
          <p>
            <Stars average={product.rating.average} count={product.rating.count} />
          </p>
          <form method="post" action="/cart/add">
            <input type="hidden" name="slug" value={product.slug} />
            <fieldset class="variant">
              <legend>{product.variants.length > 1 ? "Choose an option" : "Option"}</legend>
              {product.variants.map((v) => {
                const a = availability(v.available);
                return (
                  <label>
                    <input type="radio" name="sku" value={v.sku} checked={v.sku === preselected} disabled={v.available === 0} />
                    <span>
                      {v.title} · <strong>{money(v.price)}</strong> · <span class={a.cls}>{a.text}</span>
                    </span>
                  </label>
                );
              })}
            </fieldset>
            <Field
              class="short"
              name="quantity"
              label="Quantity"
              type="number"
              min={1}
              max={99}
              value={attempt?.quantity ?? "1"}
              error={attempt?.message}
              alert
            />
            <button class="btn primary" type="submit" disabled={buyable.length === 0}>
              {buyable.length === 0 ? "Sold out" : "Add to cart"}
            </button>
          </form>
          <h2 class="spaced-top">Details</h2>
          <p>{product.description}</p>
          {Object.keys(product.attributes).length > 0 ? (
            <table>
              <caption class="sr">Specifications</caption>
              <tbody>
                {Object.entries(product.attributes).map(([k, v]) => (
                  <tr>
                    <th scope="row">{k}</th>
                    <td>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      </div>
      <section aria-labelledby="reviews" class="section">
        <h2 id="reviews">Reviews</h2>
        {reviews === null || reviews.items.length === 0 ? (
          <p class="muted">No reviews yet. Buyers can review a product once it has been delivered (from their account).</p>
        ) : (
          reviews.items.map((r) => (
            <article class="review">
              <strong>
                <span class="stars" aria-hidden="true">
                  {"★".repeat(r.rating)}
                </span>
                <span class="sr">{r.rating} out of 5 stars</span> {r.title}
              </strong>
              <p class="review-body">{r.body}</p>
              <span class="muted">
                {r.author} · verified purchase · {r.createdAt.slice(0, 10)}
              </span>
            </article>
          ))
        )}
      </section>
      {product.recommendations.length > 0 ? (
        <section aria-labelledby="recs" class="section">
          <h2 id="recs">Customers also bought</h2>
          <Grid items={product.recommendations} />
        </section>
      ) : null}
    </>
  );
};
