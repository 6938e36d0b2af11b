/** @jsxImportSource hono/jsx */
import type { Child, FC } from "hono/jsx";
import { formatMoney } from "#shared/html.ts";
import { HtmlDocument } from "#shared/web/html-document.tsx";
import type { Flash, Who } from "./session.ts";
import { DASHBOARD_CSS_PATH } from "./styles.ts";

// `owner`: the merchant's owner only; `platform`: the platform admin only.
const NAV = [
  { href: "/admin", label: "Overview", owner: false, platform: false },
  { href: "/admin/products", label: "Products", owner: false, platform: false },
  { href: "/admin/orders", label: "Orders", owner: false, platform: false },
  { href: "/admin/returns", label: "Returns", owner: false, platform: false },
  { href: "/admin/reviews", label: "Reviews", owner: false, platform: false },
  { href: "/admin/reports", label: "Reports", owner: false, platform: false },
  { href: "/admin/operations", label: "Operations", owner: false, platform: true },
  { href: "/admin/api-keys", label: "API keys", owner: true, platform: false },
  { href: "/admin/staff", label: "Staff", owner: true, platform: false },
] as const;

const roleName = (role: string) => ({ merchant_owner: "Owner", merchant_staff: "Staff", platform_admin: "Platform admin" })[role] ?? role;

/** A dashboard page's document (the sign-in and error pages have no frame, only a body class). */
export const Document: FC<{ title: string; children?: Child; bodyClass?: string; skipLink?: boolean }> = ({
  title,
  children,
  bodyClass,
  skipLink,
}) => (
  <HtmlDocument title={`${title} · Edge Commerce for merchants`} stylesheet={DASHBOARD_CSS_PATH} bodyClass={bodyClass} skipLink={skipLink}>
    {children}
  </HtmlDocument>
);

export const Layout: FC<{ title: string; who: Who; current: string; flash: Flash | null; csrf: string; children?: Child }> = (props) => {
  const canManage = props.who.role === "merchant_owner";
  const isPlatform = props.who.role === "platform_admin";
  return (
    <Document title={props.title} skipLink>
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
              {NAV.filter((n) => (canManage || !n.owner) && (isPlatform || !n.platform)).map((n) => (
                <li>
                  <a href={n.href} aria-current={props.current === n.href ? "page" : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <p class="sidebar-foot">{props.who.merchantId === null ? "All merchants" : `Merchant ${props.who.merchantId}`}</p>
        </header>
        <div class="main">
          <section class="topbar" aria-label="Your account">
            <span class="merchant-name">
              {props.who.merchantId === null ? "Platform" : (props.who.merchantName ?? props.who.merchantId)}
            </span>
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
          </section>
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
