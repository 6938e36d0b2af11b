import type { Problem } from "../../../../schema/problem.ts";
import { CLIENT_IP_HEADER } from "../../../shared/src/client.ts";
import { REQUEST_ID_HEADER } from "../../../shared/src/request-id.ts";
import { accessToken, type PageContext, refreshSession } from "./session.ts";

/** How the dashboard reaches the merchant API: the same Worker's app, in process (no network hop). */
export type CallApi = (request: Request, env: AdminEnv, ctx: PageContext["executionCtx"]) => Promise<Response>;

export type ApiReply<T> = { ok: true; status: number; data: T } | { ok: false; status: number; problem: Problem };

/** Thrown when the session is over: the page sends the browser to sign in. */
export class SignedOut extends Error {}

/**
 * The merchant API as the signed-in user: every page is a client of the same JSON API third parties use, so
 * the dashboard can do nothing the API does not allow. An expired access token is refreshed once.
 */
export function apiFor(c: PageContext, callApi: CallApi) {
  let token = accessToken(c);
  const send = (method: string, path: string, body?: unknown): Promise<Response> => {
    const headers = new Headers({
      [REQUEST_ID_HEADER]: c.get("requestId"),
      [CLIENT_IP_HEADER]: c.req.header(CLIENT_IP_HEADER) ?? "127.0.0.1",
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
  return async function api<T>(method: string, path: string, body?: unknown): Promise<ApiReply<T>> {
    let res = await send(method, path, body);
    if (res.status === 401) {
      token = (await refreshSession(c)) ?? undefined;
      if (token === undefined) throw new SignedOut();
      res = await send(method, path, body);
      if (res.status === 401) throw new SignedOut();
    }
    if (res.status === 204) return { ok: true, status: 204, data: undefined as T };
    const json: unknown = await res.json();
    return res.ok ? { ok: true, status: res.status, data: json as T } : { ok: false, status: res.status, problem: json as Problem };
  };
}
export type Api = ReturnType<typeof apiFor>;
