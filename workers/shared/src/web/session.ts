import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Session } from "#schema/identity/dto.ts";
import { timingSafeEqualText, toBase64Url } from "../crypto.ts";
import type { EdgeBindings, EdgeEnv } from "../edge-app.ts";

export type Who = { name: string; email: string; role: string; merchantId: string | null; merchantName?: string | null };
export type Flash = { kind: "ok" | "bad" | "info"; text: string };

/**
 * A web session for server-rendered pages, in cookies only the server reads (HttpOnly), sent only over HTTPS
 * (Secure: browsers treat 127.0.0.1 as secure too), with a per-browser CSRF token that every form carries back.
 * The shop uses SameSite=Lax (a link from an email lands signed in), the dashboard Strict.
 */
export function webSession<B extends EdgeBindings>(options: {
  prefix: string;
  path: string;
  sameSite: "Strict" | "Lax";
  /** Refuse posts whose Origin is "null" (sandboxed frames, data: and file: pages); a same-origin form never sends it. */
  refuseNullOrigin?: boolean;
}) {
  type C = Context<EdgeEnv<B>>;
  const names = {
    access: `${options.prefix}_at`,
    refresh: `${options.prefix}_rt`,
    who: `${options.prefix}_who`,
    csrf: `${options.prefix}_csrf`,
    flash: `${options.prefix}_flash`,
    device: `${options.prefix}_device`,
  };
  const base = { path: options.path, httpOnly: true, secure: true, sameSite: options.sameSite } as const;
  // The known-device token outlives sessions (signing out keeps it): as long as browsers keep a cookie (400 days);
  // identity decides how long the token itself is good.
  const DEVICE_MAX_AGE = 400 * 86_400;

  const start = (c: C, session: Session, merchantName: string | null = null): void => {
    setCookie(c, names.access, session.accessToken, { ...base, maxAge: session.expiresIn });
    setCookie(c, names.refresh, session.refreshToken, { ...base, maxAge: 30 * 86_400 });
    const who: Who = {
      name: session.user.name ?? session.user.email,
      email: session.user.email,
      role: session.user.role,
      merchantId: session.user.merchantId,
      merchantName,
    };
    setCookie(c, names.who, toBase64Url(new TextEncoder().encode(JSON.stringify(who))), { ...base, maxAge: 30 * 86_400 });
    if (session.deviceToken !== undefined) setCookie(c, names.device, session.deviceToken, { ...base, maxAge: DEVICE_MAX_AGE });
  };

  const readWho = (c: C): Who | null => {
    const raw = getCookie(c, names.who);
    if (raw === undefined) return null;
    try {
      const text = atob(raw.replaceAll("-", "+").replaceAll("_", "/"));
      const value = JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (ch) => ch.charCodeAt(0)))) as Who;
      return typeof value.email === "string" ? value : null;
    } catch {
      return null;
    }
  };

  return {
    start,
    /** Clears the session; answers the refresh token so the caller can revoke it. */
    end(c: C): string | undefined {
      const refresh = getCookie(c, names.refresh);
      for (const name of [names.access, names.refresh, names.who]) deleteCookie(c, name, base);
      return refresh;
    },
    who: readWho,
    accessToken: (c: C): string | undefined => getCookie(c, names.access),
    /** This browser's known-device token for sign-ins (strangers' failed guesses on the account do not lock it out). */
    deviceToken: (c: C): string | undefined => getCookie(c, names.device),
    /** Trades the refresh cookie for a new session: its access token, or null when the session is over. */
    async refresh(c: C, rotate: (refreshToken: string) => Promise<{ ok: true; value: Session } | { ok: false }>): Promise<string | null> {
      const refreshToken = getCookie(c, names.refresh);
      if (refreshToken === undefined) return null;
      const renewed = await rotate(refreshToken);
      if (!renewed.ok) return null;
      // The merchant's name is not in the session: the one shown so far stays while the merchant does.
      const before = readWho(c);
      start(c, renewed.value, before?.merchantId === renewed.value.user.merchantId ? (before?.merchantName ?? null) : null);
      return renewed.value.accessToken;
    },
    /** This browser's CSRF token (made on first use). */
    csrfToken(c: C): string {
      const existing = getCookie(c, names.csrf);
      if (existing !== undefined && existing.length >= 32) return existing;
      const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
      setCookie(c, names.csrf, token, base);
      return token;
    },
    /** A form post carries the CSRF token (another site cannot read it); a browser naming another origin is refused. */
    csrfValid(c: C, form: Record<string, unknown>): boolean {
      const origin = c.req.header("Origin");
      const exempt = origin === undefined || (origin === "null" && options.refuseNullOrigin !== true);
      if (!exempt && origin !== new URL(c.req.url).origin) return false;
      const cookie = getCookie(c, names.csrf);
      const sent = form._csrf;
      return cookie !== undefined && typeof sent === "string" && cookie.length >= 32 && timingSafeEqualText(cookie, sent);
    },
    /** A one-time message for the page a redirect lands on (post, redirect, get). */
    flash(c: C, message: Flash): void {
      setCookie(c, names.flash, encodeURIComponent(JSON.stringify(message)), { ...base, maxAge: 60 });
    },
    takeFlash(c: C): Flash | null {
      const raw = getCookie(c, names.flash);
      if (raw === undefined) return null;
      deleteCookie(c, names.flash, base);
      try {
        const value = JSON.parse(decodeURIComponent(raw)) as Flash;
        return ["ok", "bad", "info"].includes(value.kind) && typeof value.text === "string"
          ? { kind: value.kind, text: value.text.slice(0, 300) }
          : null;
      } catch {
        return null;
      }
    },
  };
}
export type WebSession<B extends EdgeBindings> = ReturnType<typeof webSession<B>>;
