/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import type { Child, FC } from "hono/jsx";

/**
 * The HTML document around every page of both sites: one stylesheet of the site's own (a hashed path, so the CSP
 * needs no inline style), and scripts only when a page names them (the shop's Stripe checkout).
 */
export const HtmlDocument: FC<{
  title: string;
  stylesheet: string;
  scripts?: readonly string[];
  bodyClass?: string;
  /** A page with navigation before its content starts with a link past it (keyboard and screen-reader users). */
  skipLink?: boolean;
  children?: Child;
}> = (p) => (
  <>
    {/* The doctype keeps browsers in standards mode (without it every page is laid out in quirks mode). */}
    {raw("<!doctype html>")}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{p.title}</title>
        <link rel="stylesheet" href={p.stylesheet} />
        {/* No icon file to fetch (the browser would ask for /favicon.ico otherwise). */}
        <link rel="icon" href="data:," />
        {(p.scripts ?? []).map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body class={p.bodyClass}>
        {p.skipLink ? (
          <a class="skip" href="#main">
            Skip to content
          </a>
        ) : null}
        {p.children}
      </body>
    </html>
  </>
);
