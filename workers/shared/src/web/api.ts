import type { Context } from "hono";
import type { Problem } from "#schema/problem.ts";
import { CLIENT_IP_HEADER } from "../client.ts";
import type { EdgeBindings, EdgeEnv } from "../edge-app.ts";
import { REQUEST_ID_HEADER } from "../request-id.ts";

/** How pages reach their Worker's JSON API: the same app, in process (no network hop). */
export type CallApi<B extends EdgeBindings> = (request: Request, env: B, ctx: Context<EdgeEnv<B>>["executionCtx"]) => Promise<Response>;

export type ApiReply<T> =
  | { ok: true; status: number; data: T; headers: Headers }
  | { ok: false; status: number; problem: Problem; headers: Headers };

/** Thrown when the session is over: the page sends the browser to sign in. */
export class SignedOut extends Error {}

/**
 * The JSON API as the signed-in user (or anonymously): pages are clients of the same API everyone else uses, so
 * they can do nothing it does not allow. An expired access token is refreshed once (`refresh`); when that fails,
 * a page that needed the session gets SignedOut, an anonymous one just the 401.
 */
export function apiClient<B extends EdgeBindings>(
  c: Context<EdgeEnv<B>>,
  callApi: CallApi<B>,
  session: { token: string | undefined; refresh: () => Promise<string | null>; headers?: Record<string, string> },
) {
  let token = session.token;
  const send = (method: string, path: string, body?: unknown, extra?: Record<string, string>): Promise<Response> => {
    const headers = new Headers({
      [REQUEST_ID_HEADER]: c.get("requestId"),
      [CLIENT_IP_HEADER]: c.req.header(CLIENT_IP_HEADER) ?? "127.0.0.1",
      ...session.headers,
      ...extra,
    });
    if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers.set("Content-Type", "application/json");
      payload = JSON.stringify(body);
    }
    const url = new URL(path, new URL(c.req.url).origin);
    return callApi(new Request(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) }), c.env, c.executionCtx);
  };
  return async function api<T>(method: string, path: string, body?: unknown, extra?: Record<string, string>): Promise<ApiReply<T>> {
    let res = await send(method, path, body, extra);
    if (res.status === 401 && token !== undefined) {
      token = (await session.refresh()) ?? undefined;
      if (token === undefined) throw new SignedOut();
      res = await send(method, path, body, extra);
      if (res.status === 401) throw new SignedOut();
    }
    if (res.status === 204) return { ok: true, status: 204, data: undefined as T, headers: res.headers };
    const type = res.headers.get("Content-Type") ?? "";
    const json: unknown = type.includes("json") ? await res.json() : { status: res.status, title: await res.text() };
    return res.ok
      ? { ok: true, status: res.status, data: json as T, headers: res.headers }
      : { ok: false, status: res.status, problem: json as Problem, headers: res.headers };
  };
}
export type Api = ReturnType<typeof apiClient>;
