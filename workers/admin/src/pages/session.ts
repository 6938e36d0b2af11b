import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Session } from "../../../../schema/identity/dto.ts";
import { CLIENT_IP_HEADER } from "../../../shared/src/client.ts";
import { timingSafeEqualText, toBase64Url } from "../../../shared/src/crypto.ts";
import type { EdgeEnv } from "../../../shared/src/edge-app.ts";

export type PageContext = Context<EdgeEnv<AdminEnv>>;

// The dashboard's session lives in cookies only the server reads (HttpOnly), sent only over HTTPS (Secure:
// browsers treat 127.0.0.1 as secure too) and never on another site's requests (SameSite=Strict).
const ACCESS = "ec_admin_at";
const REFRESH = "ec_admin_rt";
const WHO = "ec_admin_who";
const CSRF = "ec_admin_csrf";
const FLASH = "ec_admin_flash";
const base = { path: "/admin", httpOnly: true, secure: true, sameSite: "Strict" } as const;

export type Who = { name: string; email: string; role: string; merchantId: string | null };

export const callOf = (c: PageContext) => ({ requestId: c.get("requestId"), clientIp: c.req.header(CLIENT_IP_HEADER) });

export function startSession(c: PageContext, session: Session): void {
  setCookie(c, ACCESS, session.accessToken, { ...base, maxAge: session.expiresIn });
  setCookie(c, REFRESH, session.refreshToken, { ...base, maxAge: 30 * 86_400 });
  const who: Who = {
    name: session.user.name ?? session.user.email,
    email: session.user.email,
    role: session.user.role,
    merchantId: session.user.merchantId,
  };
  setCookie(c, WHO, toBase64Url(new TextEncoder().encode(JSON.stringify(who))), { ...base, maxAge: 30 * 86_400 });
}

export function endSession(c: PageContext): string | undefined {
  const refresh = getCookie(c, REFRESH);
  for (const name of [ACCESS, REFRESH, WHO]) deleteCookie(c, name, base);
  return refresh;
}

export function whoIs(c: PageContext): Who | null {
  const raw = getCookie(c, WHO);
  if (raw === undefined) return null;
  try {
    const text = atob(raw.replaceAll("-", "+").replaceAll("_", "/"));
    const value = JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (ch) => ch.charCodeAt(0)))) as Who;
    return typeof value.email === "string" ? value : null;
  } catch {
    return null;
  }
}

export const accessToken = (c: PageContext): string | undefined => getCookie(c, ACCESS);

/** Trades the refresh cookie for a new session: its access token, or null when the session is over. */
export async function refreshSession(c: PageContext): Promise<string | null> {
  const refreshToken = getCookie(c, REFRESH);
  if (refreshToken === undefined) return null;
  const renewed = await c.env.IDENTITY.refresh({ refreshToken }, callOf(c));
  if (!renewed.ok) return null;
  startSession(c, renewed.value);
  return renewed.value.accessToken;
}

/** The CSRF token of this browser (made on first use): every form carries it back as `_csrf`. */
export function csrfToken(c: PageContext): string {
  const existing = getCookie(c, CSRF);
  if (existing !== undefined && existing.length >= 32) return existing;
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  setCookie(c, CSRF, token, base);
  return token;
}

/**
 * A form post must carry the browser's CSRF token (a page of another site cannot read it), and a browser that
 * says where the post comes from must say this origin.
 */
export function csrfValid(c: PageContext, form: Record<string, unknown>): boolean {
  const origin = c.req.header("Origin");
  if (origin !== undefined && origin !== "null" && origin !== new URL(c.req.url).origin) return false;
  const cookie = getCookie(c, CSRF);
  const sent = form._csrf;
  return cookie !== undefined && typeof sent === "string" && cookie.length >= 32 && timingSafeEqualText(cookie, sent);
}

export type Flash = { kind: "ok" | "bad" | "info"; text: string };

/** A one-time message for the page a redirect lands on (post, redirect, get). */
export function flash(c: PageContext, message: Flash): void {
  setCookie(c, FLASH, encodeURIComponent(JSON.stringify(message)), { ...base, maxAge: 60 });
}

export function takeFlash(c: PageContext): Flash | null {
  const raw = getCookie(c, FLASH);
  if (raw === undefined) return null;
  deleteCookie(c, FLASH, base);
  try {
    const value = JSON.parse(decodeURIComponent(raw)) as Flash;
    return ["ok", "bad", "info"].includes(value.kind) && typeof value.text === "string"
      ? { kind: value.kind, text: value.text.slice(0, 300) }
      : null;
  } catch {
    return null;
  }
}
