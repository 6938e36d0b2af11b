/** @jsxImportSource hono/jsx */
import type { Child, FC } from "hono/jsx";
import type { Problem } from "../../../../schema/problem.ts";
import { formatMoney } from "../../../shared/src/html.ts";
import type { Flash, Who } from "./session.ts";
import { DASHBOARD_CSS_PATH } from "./styles.ts";

const NAV = [
  { href: "/admin", label: "Overview", owner: false },
  { href: "/admin/products", label: "Products", owner: false },
  { href: "/admin/orders", label: "Orders", owner: false },
  { href: "/admin/returns", label: "Returns", owner: false },
  { href: "/admin/reviews", label: "Reviews", owner: false },
  { href: "/admin/reports", label: "Reports", owner: false },
  { href: "/admin/api-keys", label: "API keys", owner: true },
  { href: "/admin/staff", label: "Staff", owner: true },
] as const;

const roleName = (role: string) => ({ merchant_owner: "Owner", merchant_staff: "Staff", platform_admin: "Platform admin" })[role] ?? role;

export const Document: FC<{ title: string; children?: Child; bodyClass?: string }> = ({ title, children, bodyClass }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · Edge Commerce for merchants`}</title>
      <link rel="stylesheet" href={DASHBOARD_CSS_PATH} />
      {/* No icon file to fetch (the browser would ask for /favicon.ico otherwise). */}
      <link rel="icon" href="data:," />
    </head>
    <body class={bodyClass}>{children}</body>
  </html>
);

export const Layout: FC<{ title: string; who: Who; current: string; flash: Flash | null; csrf: string; children?: Child }> = (props) => {
  const canManage = props.who.role === "merchant_owner";
  return (
    <Document title={props.title}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <div class="shell">
        <header class="sidebar">
          <a class="logo" href="/admin">
            <span class="logo-mark" aria-hidden="true">
              E
            </span>
            Edge Commerce
          </a>
          <nav aria-label="Dashboard">
            <ul class="nav">
              {NAV.filter((n) => canManage || !n.owner).map((n) => (
                <li>
                  <a href={n.href} aria-current={props.current === n.href ? "page" : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <p class="sidebar-foot">Merchant {props.who.merchantId ?? "— all merchants"}</p>
        </header>
        <div class="main">
          <div class="topbar">
            <span class="muted">{props.who.merchantId ?? "Platform"}</span>
            <div class="who">
              <span class="avatar" aria-hidden="true">
                {props.who.name.slice(0, 1).toUpperCase()}
              </span>
              <span>
                {props.who.name} · {roleName(props.who.role)}
              </span>
              <form method="post" action="/admin/sign-out" class="inline">
                <input type="hidden" name="_csrf" value={props.csrf} />
                <button class="btn secondary small" type="submit">
                  Sign out
                </button>
              </form>
            </div>
          </div>
          <main id="main" class="content" tabindex={-1}>
            {props.flash === null ? null : (
              <div class={`flash ${props.flash.kind}`} role={props.flash.kind === "bad" ? "alert" : "status"}>
                {props.flash.text}
              </div>
            )}
            {props.children}
          </main>
        </div>
      </div>
    </Document>
  );
};

export const Csrf: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />;

/** A problem from the API, as the merchant should read it: what to fix, field by field. */
export const ProblemBox: FC<{ problem: Problem | null; id?: string }> = ({ problem, id }) =>
  problem === null ? null : (
    <div class="flash bad" role="alert" id={id}>
      <strong>{problem.detail ?? problem.title}</strong>
      {problem.errors !== undefined && problem.errors.length > 1 ? (
        <ul class="errors">
          {problem.errors.map((e) => (
            <li>
              {e.field}: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );

const TONES: Record<string, string> = {
  active: "ok",
  published: "ok",
  hidden: "",
  paid: "ok",
  delivered: "ok",
  refunded: "info",
  received: "info",
  shipped: "info",
  fulfilling: "info",
  approved: "info",
  draft: "warn",
  pending: "warn",
  packed: "warn",
  requested: "warn",
  invited: "warn",
  pending_payment: "warn",
  return_requested: "warn",
  archived: "",
  cancelled: "bad",
  payment_failed: "bad",
  rejected: "bad",
  revoked: "bad",
};

export const Badge: FC<{ status: string }> = ({ status }) => (
  <span class={`badge ${TONES[status] ?? ""}`}>{status.replaceAll("_", " ")}</span>
);

export const Money: FC<{ amount: number; currency: string }> = ({ amount, currency }) => <>{formatMoney(amount, currency)}</>;

export const dateOf = (iso: string | number): string =>
  new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
