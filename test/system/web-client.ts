// A browser as far as the server-rendered pages can tell: a cookie jar, same-origin form posts carrying the
// page's CSRF token, redirects not followed (the test reads where they go). Plain HTTP, no Chromium.

export type PageReply = { status: number; location: string | null; html: string };

export function webClient(base: URL, options: { ip: string; csrfCookie?: string }) {
  const jar = new Map<string, string>();
  const setCookieLines: string[] = [];
  const keep = (res: Response): void => {
    for (const line of res.headers.getSetCookie()) {
      setCookieLines.push(line);
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      // A deleted cookie comes back empty with Max-Age=0.
      if (value === "" || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  const send = async (method: string, path: string, body?: URLSearchParams): Promise<PageReply> => {
    const headers: Record<string, string> = {
      "cf-connecting-ip": options.ip,
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
    };
    if (body !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      headers.origin = base.origin;
    }
    const res = await fetch(new URL(path, base), { method, headers, body, redirect: "manual" });
    keep(res);
    return { status: res.status, location: res.headers.get("location"), html: await res.text() };
  };
  return {
    cookies: jar,
    /** Every Set-Cookie header received, to check a cookie's attributes. */
    setCookieLines,
    get: (path: string) => send("GET", path),
    /** Posts a form as the page would: with this browser's CSRF token when the site uses one. */
    post: (path: string, fields: Record<string, string>) => {
      const csrf = options.csrfCookie === undefined ? undefined : jar.get(options.csrfCookie);
      return send("POST", path, new URLSearchParams({ ...fields, ...(csrf === undefined ? {} : { _csrf: csrf }) }));
    },
  };
}
