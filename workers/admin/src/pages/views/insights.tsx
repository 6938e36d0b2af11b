/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { AdminReview } from "#schema/catalog/review-dto.ts";
import type { SalesReport } from "#schema/insights/dto.ts";
import { formatMoney } from "#shared/html.ts";
import { DateRangeFields } from "#shared/web/date-range.tsx";
import { Badge, Csrf, dateOf, Money } from "../layout.tsx";

const W = 760;
const H = 240;
const PAD = { top: 16, right: 12, bottom: 34, left: 64 };

/** Revenue per day as bars, drawn on the server: no chart library, no script, readable by a screen reader. */
export const SalesChart: FC<{ report: SalesReport }> = ({ report }) => {
  const max = Math.max(1, ...report.days.map((d) => d.revenue.amount));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, report.days.length);
  const bar = Math.max(2, Math.min(36, slot * 0.7));
  const labelEvery = Math.ceil(report.days.length / 10);
  const total = formatMoney(report.totals.revenue.amount, report.currency);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-labelledby="chart-title chart-desc" class="chart">
      <title id="chart-title">Revenue per day</title>
      <desc id="chart-desc">{`Revenue per day from ${report.from} to ${report.to}: ${total} in all.`}</desc>
      {[0, 0.5, 1].map((f) => {
        const y = PAD.top + plotH * (1 - f);
        return (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} stroke="#e3e6ee" />
            <text x={PAD.left - 8} y={y + 4} text-anchor="end" font-size="11" fill="#5b6477">
              {formatMoney(Math.round(max * f), report.currency)}
            </text>
          </g>
        );
      })}
      {report.days.map((d, i) => {
        const h = (d.revenue.amount / max) * plotH;
        const x = PAD.left + i * slot + (slot - bar) / 2;
        return (
          <g>
            <rect x={x} y={PAD.top + plotH - h} width={bar} height={Math.max(0, h)} rx={3} fill="#3b3fd8">
              <title>{`${d.date}: ${formatMoney(d.revenue.amount, report.currency)}, ${d.orders} orders`}</title>
            </rect>
            {i % labelEvery === 0 ? (
              <text x={x + bar / 2} y={H - 12} text-anchor="middle" font-size="11" fill="#5b6477">
                {d.date.slice(5)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
};

export const ReportsPage: FC<{ report: SalesReport }> = ({ report }) => (
  <>
    <div class="page-head">
      <div>
        <h1>Sales</h1>
        <p class="lede">
          Paid orders from {report.from} to {report.to} (UTC), in {report.currency}. Revenue is your goods, before tax and shipping.
        </p>
      </div>
      <form method="get" action="/admin/reports" class="toolbar flush">
        <DateRangeFields range={report} />
        <button class="btn secondary" type="submit">
          Show
        </button>
      </form>
    </div>
    <div class="stats">
      <div class="stat">
        <div class="l">Revenue</div>
        <div class="n" data-testid="report-revenue">
          <Money amount={report.totals.revenue.amount} currency={report.currency} />
        </div>
      </div>
      <div class="stat">
        <div class="l">Orders</div>
        <div class="n" data-testid="report-orders">
          {report.totals.orders}
        </div>
      </div>
      <div class="stat">
        <div class="l">Units</div>
        <div class="n">{report.totals.units}</div>
      </div>
      <div class="stat">
        <div class="l">Average order</div>
        <div class="n">
          <Money amount={report.totals.averageOrderValue.amount} currency={report.currency} />
        </div>
      </div>
    </div>
    <section class="card" aria-labelledby="chart-heading">
      <h2 id="chart-heading">Revenue per day</h2>
      <SalesChart report={report} />
    </section>
    <section class="card" aria-labelledby="top-heading">
      <h2 id="top-heading">Top products</h2>
      {report.topProducts.length === 0 ? (
        <p class="empty">No sales in this range yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" class="num">
                Units
              </th>
              <th scope="col" class="num">
                Revenue
              </th>
            </tr>
          </thead>
          <tbody>
            {report.topProducts.map((p) => (
              <tr>
                <td>
                  {p.title}
                  <div class="muted mono">{p.slug}</div>
                </td>
                <td class="num">{p.units}</td>
                <td class="num">
                  <Money amount={p.revenue.amount} currency={p.revenue.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  </>
);

const Stars: FC<{ rating: number }> = ({ rating }) => (
  <span aria-label={`${rating} out of 5 stars`} role="img" class="stars">
    {"★".repeat(rating)}
    <span class="stars-off">{"★".repeat(5 - rating)}</span>
  </span>
);

export const ReviewsPage: FC<{ reviews: AdminReview[]; csrf: string }> = ({ reviews, csrf }) => (
  <>
    <div class="page-head">
      <div>
        <h1>Reviews</h1>
        <p class="lede">Reviews by buyers who received the product. Hide one to take it (and its rating) off the shop.</p>
      </div>
    </div>
    <div class="card">
      {reviews.length === 0 ? (
        <p class="empty">No reviews yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Review</th>
              <th scope="col">Product</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="muted">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {reviews.map((r) => (
              <tr>
                <td>
                  <Stars rating={r.rating} /> <strong>{r.title}</strong>
                  <div>{r.body}</div>
                  <div class="muted">
                    {r.author} · {dateOf(r.createdAt)}
                  </div>
                </td>
                <td>{r.productTitle}</td>
                <td>
                  <Badge status={r.status} />
                </td>
                <td>
                  <form method="post" action={`/admin/reviews/${r.id}/${r.status === "published" ? "hide" : "publish"}`} class="inline">
                    <Csrf token={csrf} />
                    <button class="btn secondary small" type="submit">
                      {r.status === "published" ? "Hide" : "Publish"}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  </>
);
