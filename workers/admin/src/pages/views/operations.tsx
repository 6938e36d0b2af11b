/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { CheckoutOutcome } from "#shared/metrics/points.ts";
import type { OperationsReport } from "../../routes/operations.ts";

// Platform operations: the metrics the Workers write (docs/observe-metrics.md), drawn on the server like the
// sales report: SVG with a title and a description, no script.

const W = 760;
const PAD = { top: 14, right: 14, bottom: 30, left: 52 };
const AXIS = "#5b6477";
const GRID = "#e3e6ee";

const OUTCOMES: { key: CheckoutOutcome; label: string; color: string }[] = [
  { key: "placed", label: "Placed", color: "#3b3fd8" },
  { key: "declined", label: "Declined", color: "#d97706" },
  { key: "out_of_stock", label: "Out of stock", color: "#b42318" },
  { key: "failed", label: "Failed", color: "#6b7280" },
];
const LINE_COLORS = ["#b42318", "#3b3fd8", "#0f7a43", "#d97706", "#7c3aed", "#0e7490"];

// The admin /health checks an alert can come from, as an operator reads them.
const CHECK_NAMES: Record<string, string> = {
  deadLetters: "Dead letters",
  orders: "Orders",
  fulfillment: "Fulfilment",
  d1: "Operations database",
};

const clock = (t: number) => new Date(t * 1000).toISOString().slice(11, 16);
const bucketsOf = (r: OperationsReport): number[] => {
  const from = Date.parse(r.from) / 1000;
  const to = Date.parse(r.to) / 1000;
  return Array.from({ length: Math.round((to - from) / r.bucketSeconds) }, (_, i) => from + i * r.bucketSeconds);
};
const niceMax = (n: number) => {
  if (n <= 4) return Math.max(1, Math.ceil(n));
  const step = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / step) * step;
};
const every = (r: OperationsReport) => (r.range === "hour" ? "minute" : `${r.bucketSeconds / 60} minutes`);

/** Y grid with labels, x labels every few buckets: the frame every chart here shares. */
const Frame: FC<{ width?: number; height: number; max: number; buckets: number[]; unit?: string }> = (p) => {
  const w = p.width ?? W;
  const plotH = p.height - PAD.top - PAD.bottom;
  const slot = (w - PAD.left - PAD.right) / Math.max(1, p.buckets.length);
  const labelEvery = Math.ceil(p.buckets.length / (w < W ? 4 : 8));
  return (
    <>
      {[0, 0.5, 1].map((f) => {
        const y = PAD.top + plotH * (1 - f);
        return (
          <g>
            <line x1={PAD.left} x2={w - PAD.right} y1={y} y2={y} stroke={GRID} />
            <text x={PAD.left - 8} y={y + 4} text-anchor="end" font-size="11" fill={AXIS}>
              {`${Math.round(p.max * f * 10) / 10}${p.unit ?? ""}`}
            </text>
          </g>
        );
      })}
      {p.buckets.map((t, i) =>
        i % labelEvery === 0 ? (
          <text x={PAD.left + i * slot + slot / 2} y={p.height - 10} text-anchor="middle" font-size="11" fill={AXIS}>
            {clock(t)}
          </text>
        ) : null,
      )}
    </>
  );
};

/** Checkouts per bucket, stacked by outcome. */
export const CheckoutChart: FC<{ report: OperationsReport }> = ({ report }) => {
  const H = 220;
  const buckets = bucketsOf(report);
  const at = new Map<string, number>(report.rows.checkouts.map((r) => [`${r.t}:${r.outcome}`, r.count]));
  const totals = buckets.map((t) => OUTCOMES.reduce((n, o) => n + (at.get(`${t}:${o.key}`) ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotH = H - PAD.top - PAD.bottom;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, buckets.length);
  const bar = Math.max(2, Math.min(28, slot * 0.72));
  const t = report.totals.checkouts;
  const desc = `Checkouts per ${every(report)}: ${t.placed} placed, ${t.declined} declined, ${t.out_of_stock} out of stock, ${t.failed} failed.`;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-labelledby="checkouts-title checkouts-desc" class="chart">
      <title id="checkouts-title">Checkouts by outcome</title>
      <desc id="checkouts-desc">{desc}</desc>
      <Frame height={H} max={max} buckets={buckets} />
      {buckets.map((b, i) => {
        let y = PAD.top + plotH;
        return OUTCOMES.map((o) => {
          const n = at.get(`${b}:${o.key}`) ?? 0;
          if (n === 0) return null;
          const h = (n / max) * plotH;
          y -= h;
          return (
            <rect x={PAD.left + i * slot + (slot - bar) / 2} y={y} width={bar} height={h} fill={o.color}>
              <title>{`${clock(b)} UTC: ${n} ${o.label.toLowerCase()}`}</title>
            </rect>
          );
        });
      })}
    </svg>
  );
};

/** One line per series over the buckets (queue backlog, dead letters); a gap where nothing was sampled. */
const LineChart: FC<{
  width?: number;
  id: string;
  title: string;
  desc: string;
  report: OperationsReport;
  series: { label: string; points: Map<number, number> }[];
  unit?: string;
}> = (p) => {
  const w = p.width ?? W;
  const H = w < W ? 220 : 200;
  const buckets = bucketsOf(p.report);
  const max = niceMax(Math.max(0, ...p.series.flatMap((s) => [...s.points.values()])));
  const plotH = H - PAD.top - PAD.bottom;
  const slot = (w - PAD.left - PAD.right) / Math.max(1, buckets.length);
  const x = (i: number) => PAD.left + i * slot + slot / 2;
  const y = (v: number) => PAD.top + plotH * (1 - v / max);
  return (
    <svg viewBox={`0 0 ${w} ${H}`} width="100%" role="img" aria-labelledby={`${p.id}-title ${p.id}-desc`} class="chart">
      <title id={`${p.id}-title`}>{p.title}</title>
      <desc id={`${p.id}-desc`}>{p.desc}</desc>
      <Frame width={w} height={H} max={max} buckets={buckets} unit={p.unit} />
      {p.series.map((s, k) => {
        const color = LINE_COLORS[k % LINE_COLORS.length];
        const pts = buckets.flatMap((b, i) => (s.points.has(b) ? [[x(i), y(s.points.get(b) ?? 0)] as const] : []));
        return (
          <g>
            <polyline
              points={pts.map(([a, b]) => `${a},${b}`).join(" ")}
              fill="none"
              stroke={color}
              stroke-width="2"
              stroke-linejoin="round"
            />
            {pts.map(([a, b]) => (
              <circle cx={a} cy={b} r="2.5" fill={color} />
            ))}
          </g>
        );
      })}
    </svg>
  );
};

/** p50 and p99 per route as paired horizontal bars, slowest p99 first. */
export const LatencyChart: FC<{ report: OperationsReport }> = ({ report }) => {
  const routes = [...report.rows.routes].sort((a, b) => b.p99 - a.p99).slice(0, 10);
  const row = 30;
  const left = 280;
  const H = Math.max(60, routes.length * row + 34);
  const max = niceMax(Math.max(1, ...routes.map((r) => r.p99)));
  const scale = (ms: number) => ((W - left - 110) * ms) / max;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-labelledby="latency-title latency-desc" class="chart">
      <title id="latency-title">Latency per route, p50 and p99</title>
      <desc id="latency-desc">{`The ${routes.length} slowest routes by p99 latency, in milliseconds.`}</desc>
      {routes.map((r, i) => {
        const y = 8 + i * row;
        return (
          <g>
            <text x={left - 10} y={y + 14} text-anchor="end" font-size="12" fill="#1b1f2a">
              {`${r.method} ${r.route.length > 34 ? `${r.route.slice(0, 33)}…` : r.route}`}
            </text>
            <rect x={left} y={y + 2} width={Math.max(1, scale(r.p99))} height={9} rx={2} fill="#c9cbfb">
              <title>{`p99 ${r.p99} ms`}</title>
            </rect>
            <rect x={left} y={y + 12} width={Math.max(1, scale(r.p50))} height={9} rx={2} fill="#3b3fd8">
              <title>{`p50 ${r.p50} ms`}</title>
            </rect>
            <text x={left + Math.max(scale(r.p99), scale(r.p50)) + 6} y={y + 15} font-size="11" fill={AXIS}>
              {`${r.p50} / ${r.p99} ms`}
            </text>
          </g>
        );
      })}
      <text x={left} y={H - 6} font-size="11" fill={AXIS}>{`0 – ${max} ms`}</text>
    </svg>
  );
};

// SVG, not a styled span: the pages' CSP allows no inline style.
const Swatch: FC<{ color: string }> = ({ color }) => (
  <svg width="10" height="10" aria-hidden="true" class="swatch">
    <rect width="10" height="10" rx="3" fill={color} />
  </svg>
);

const Legend: FC<{ items: { label: string; color: string }[] }> = ({ items }) => (
  <ul class="legend" aria-hidden="true">
    {items.map((i) => (
      <li>
        <Swatch color={i.color} />
        {i.label}
      </li>
    ))}
  </ul>
);

const gaugeSeries = (report: OperationsReport, field: "pending" | "oldestSeconds") => {
  const bySource = new Map<string, Map<number, number>>();
  for (const g of report.rows.gauges) {
    const label = g.kind === "dead_letters" ? "Dead letters" : `${g.source} outbox`;
    const points = bySource.get(label) ?? new Map<number, number>();
    points.set(g.t, Math.max(points.get(g.t) ?? 0, g[field]));
    bySource.set(label, points);
  }
  return [...bySource.entries()].map(([label, points]) => ({ label, points }));
};

export const OperationsPage: FC<{ report: OperationsReport }> = ({ report }) => {
  const t = report.totals.checkouts;
  const pending = gaugeSeries(report, "pending");
  const ages = gaugeSeries(report, "oldestSeconds");
  const latest = (label: string) => {
    const s = pending.find((p) => p.label === label);
    return s === undefined ? 0 : ([...s.points.entries()].sort((a, b) => b[0] - a[0])[0]?.[1] ?? 0);
  };
  const oversell = new Map(report.rows.oversell.map((r) => [r.t, r.count]));
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Operations</h1>
          <p class="lede">
            The whole platform, every merchant: checkouts, latency, stock refusals and queues, per {every(report)} (UTC).{" "}
            <span class="muted">Source: {report.source === "local" ? "local metrics sink" : "Workers Analytics Engine"}.</span>
          </p>
        </div>
        <nav class="segmented" aria-label="Range">
          {(["hour", "day"] as const).map((r) => (
            <a href={`/admin/operations?range=${r}`} aria-current={report.range === r ? "page" : undefined}>
              {r === "hour" ? "Last hour" : "Last day"}
            </a>
          ))}
        </nav>
      </div>
      <section aria-label="Alerts" data-testid="alerts">
        {report.alerts.length === 0 ? (
          <div class="flash ok" role="status">
            All checks pass: dead letters and outbox backlogs are under their thresholds.
          </div>
        ) : (
          report.alerts.map((a) => (
            <div class="flash bad alert-row" role="alert" data-check={a.check}>
              <strong>{CHECK_NAMES[a.check] ?? a.check}</strong> {a.detail}
            </div>
          ))
        )}
        {report.unavailable === null ? null : (
          <div class="flash info" role="status">
            {report.unavailable}
          </div>
        )}
      </section>
      <div class="stats compact">
        {OUTCOMES.map((o) => (
          <div class="stat">
            <div class="l">
              <Swatch color={o.color} /> {o.label}
            </div>
            <div class="n" data-testid={`checkouts-${o.key}`}>
              {t[o.key]}
            </div>
          </div>
        ))}
        <div class="stat">
          <div class="l">Oversell refusals</div>
          <div class="n" data-testid="oversell-refusals">
            {report.totals.oversellRefusals}
          </div>
        </div>
        <div class="stat">
          <div class="l">Dead letters</div>
          <div class="n">{latest("Dead letters")}</div>
        </div>
      </div>
      <section class="card" aria-labelledby="checkouts-heading">
        <h2 id="checkouts-heading">Checkouts per {every(report)}, by outcome</h2>
        <Legend items={OUTCOMES} />
        <CheckoutChart report={report} />
      </section>
      <section class="card" aria-labelledby="latency-heading">
        <h2 id="latency-heading">Latency per route</h2>
        {report.rows.routes.length === 0 ? (
          <p class="empty">No requests in this range yet.</p>
        ) : (
          <>
            <Legend
              items={[
                { label: "p50", color: "#3b3fd8" },
                { label: "p99", color: "#c9cbfb" },
              ]}
            />
            <LatencyChart report={report} />
            <table data-testid="routes">
              <thead>
                <tr>
                  <th scope="col">Route</th>
                  <th scope="col">Worker</th>
                  <th scope="col" class="num">
                    Requests
                  </th>
                  <th scope="col" class="num">
                    5xx
                  </th>
                  <th scope="col" class="num">
                    p50
                  </th>
                  <th scope="col" class="num">
                    p99
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.rows.routes.slice(0, 25).map((r) => (
                  <tr>
                    <td class="mono">
                      {r.method} {r.route}
                    </td>
                    <td>{r.service}</td>
                    <td class="num">{r.count}</td>
                    <td class="num">{r.errors === 0 ? <span class="muted">0</span> : <span class="badge bad">{r.errors}</span>}</td>
                    <td class="num">{r.p50} ms</td>
                    <td class="num">{r.p99} ms</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <div class="grid2 cards">
        <section class="card" aria-labelledby="oversell-heading">
          <h2 id="oversell-heading">Oversell refusals</h2>
          <p class="muted small">Holds and sales the Inventory objects refused rather than sell a unit twice.</p>
          <LineChart
            width={420}
            id="oversell"
            title="Oversell refusals"
            desc={`Holds and sales Inventory refused for lack of stock: ${report.totals.oversellRefusals} in this range.`}
            report={report}
            series={[{ label: "Refusals", points: oversell }]}
          />
        </section>
        <section class="card" aria-labelledby="backlog-heading">
          <h2 id="backlog-heading">Queue backlog and dead letters</h2>
          <Legend items={pending.map((s, k) => ({ label: s.label, color: LINE_COLORS[k % LINE_COLORS.length] ?? "#000" }))} />
          {pending.length === 0 ? (
            <p class="empty">Nothing sampled yet: the crons sample every minute.</p>
          ) : (
            <LineChart
              width={420}
              id="backlog"
              title="Pending events"
              desc="Events waiting in each outbox, and dead letters not replayed."
              report={report}
              series={pending}
            />
          )}
        </section>
      </div>
      {ages.length === 0 ? null : (
        <section class="card" aria-labelledby="age-heading">
          <h2 id="age-heading">Oldest pending, seconds</h2>
          <Legend items={ages.map((s, k) => ({ label: s.label, color: LINE_COLORS[k % LINE_COLORS.length] ?? "#000" }))} />
          <LineChart
            id="age"
            title="Age of the oldest pending event"
            desc="How long the oldest event has waited, per outbox and dead letters."
            report={report}
            series={ages}
            unit=" s"
          />
        </section>
      )}
    </>
  );
};
