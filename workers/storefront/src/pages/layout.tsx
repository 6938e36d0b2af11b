/** @jsxImportSource hono/jsx */
import type { Child, FC } from "hono/jsx";
import type { CategoryNode, ProductSummary } from "#schema/catalog/dto.ts";
import { formatMoney } from "#shared/html.ts";
import { HtmlDocument } from "#shared/web/html-document.tsx";
import type { Flash } from "#shared/web/session.ts";
import { SHOP_CSS_PATH } from "./styles.ts";

export const Page: FC<{
  title: string;
  categories: CategoryNode[];
  current?: string;
  q?: string;
  flash?: Flash | null;
  /** Scripts the page needs (only checkout through Stripe has any), loaded deferred. */
  scripts?: string[];
  children?: Child;
}> = (p) => (
  <HtmlDocument title={`${p.title} · Edge Commerce`} stylesheet={SHOP_CSS_PATH} scripts={p.scripts} skipLink>
    <header class="top">
      <div class="wrap">
        <a class="brand" href="/">
          edge<span>commerce</span>
        </a>
        <search class="search">
          <form method="get" action="/search" class="search-form">
            <label class="sr" for="site-search">
              Search products
            </label>
            <input id="site-search" name="q" type="search" value={p.q ?? ""} placeholder="Search products" />
            <button type="submit">Search</button>
          </form>
        </search>
        <nav aria-label="Your shop">
          <a href="/account">Account</a>
          <a href="/cart" class="cart-link">
            Cart
          </a>
        </nav>
      </div>
    </header>
    <nav class="cats" aria-label="Departments">
      <ul class="wrap">
        {p.categories.map((c) => (
          <li>
            <a href={`/c/${c.slug}`} aria-current={p.current === c.slug ? "page" : undefined}>
              {c.name}
            </a>
          </li>
        ))}
      </ul>
    </nav>
    <main id="main" class="wrap" tabindex={-1}>
      {p.flash ? (
        <div class={`notice ${p.flash.kind}`} role={p.flash.kind === "bad" ? "alert" : "status"}>
          {p.flash.text}
        </div>
      ) : null}
      {p.children}
    </main>
    <footer>
      <div class="wrap">Edge Commerce demo shop · prices include the shop's currency · test cards only</div>
    </footer>
  </HtmlDocument>
);

export const money = (m: { amount: number; currency: string }): string => formatMoney(m.amount, m.currency);

export const Stars: FC<{ average: number; count: number }> = ({ average, count }) =>
  count === 0 ? (
    <span class="muted">No reviews yet</span>
  ) : (
    <span>
      <span class="stars" aria-hidden="true">
        {"★".repeat(Math.round(average))}
        {"☆".repeat(5 - Math.round(average))}
      </span>{" "}
      <span>
        {average.toFixed(1)} out of 5 ({count} review{count === 1 ? "" : "s"})
      </span>
    </span>
  );

export const ProductCard: FC<{ p: ProductSummary }> = ({ p }) => (
  <a class="card" href={`/p/${p.slug}`}>
    {p.image === null ? (
      <span class="sr">No image</span>
    ) : (
      <img src={p.image.url} alt={p.image.alt} width={p.image.width} height={p.image.height} loading="lazy" />
    )}
    <span class="t">{p.title}</span>
    <span class="b">{p.brand}</span>
    <span class="price">{money(p.price)}</span>
    {p.rating.count > 0 ? (
      <span class="b">
        ★ {p.rating.average.toFixed(1)} ({p.rating.count})
      </span>
    ) : null}
  </a>
);

export const Grid: FC<{ items: ProductSummary[] }> = ({ items }) => (
  <div class="grid">
    {items.map((p) => (
      <ProductCard p={p} />
    ))}
  </div>
);
