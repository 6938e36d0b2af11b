import type { Context } from "hono";

/** A Content-Security-Policy as its directives: each names the sources it allows. */
export type CspDirectives = Record<string, readonly string[]>;

// Pages allow nothing from elsewhere and run no script: styles and images from their own origin only, forms
// post back to it, and no other site may frame them. A page that needs more (the shop's checkout through Stripe)
// adds sources with cspWith instead of writing a second policy that could drift from this one.
const PAGE_DIRECTIVES: CspDirectives = {
  "default-src": ["'none'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
  "base-uri": ["'none'"],
};

/** The pages' policy with `extra` sources added (a directive the base lacks is added whole). */
export function cspWith(extra: CspDirectives = {}): string {
  const merged = new Map<string, string[]>(Object.entries(PAGE_DIRECTIVES).map(([k, v]) => [k, [...v]]));
  for (const [directive, sources] of Object.entries(extra)) {
    const have = merged.get(directive) ?? [];
    merged.set(directive, [...have, ...sources.filter((s) => !have.includes(s))]);
  }
  return [...merged].map(([directive, sources]) => `${directive} ${sources.join(" ")}`).join("; ");
}

export const PAGE_CSP = cspWith();

/**
 * The headers every HTML page answers with. Referrer-Policy same-origin makes the pages' own forms post with a
 * real Origin (the shop's and the dashboard's CSRF checks read it); nothing personal is cached unless a page says so.
 */
export function setPageHeaders(c: Context, options: { csp?: string; cache?: string } = {}): void {
  c.header("Content-Security-Policy", options.csp ?? PAGE_CSP);
  c.header("Referrer-Policy", "same-origin");
  c.header("Cache-Control", options.cache ?? "no-store");
}
