import { createHmac } from "node:crypto";
import { countShards, isSharded } from "../../scripts/order-shards.ts";
import type { Platform } from "../../scripts/platform.ts";
import type { OutboxEmail } from "../../workers/notifications/src/outbox-email.ts";
import { eventually } from "./cart-client.ts";
import { call, type Reply } from "./identity-client.ts";

export const DEMO_PASSWORD = "demo-shop-2026";
export const CARRIER_SECRET = "test-carrier-secret";

/** A demo account's access token (merchant owner, platform admin…). */
export async function tokenOf(platform: Platform, email: string): Promise<string> {
  const login = await call(platform.url, "POST", "/v1/auth/login", { body: { email, password: DEMO_PASSWORD } });
  if (login.status !== 200) throw new Error(`login ${email}: ${login.status} ${JSON.stringify(login.body)}`);
  return String(login.body.accessToken);
}

export const owner = (merchant: "northwind" | "trailhead" | "pageturner") => `owner@${merchant}.demo.edge-commerce.dev`;
export const PLATFORM_ADMIN = "admin@demo.edge-commerce.dev";

/** `t=<unix>,v1=<hex>` over `t.body`, as the carrier signs (a wrong secret or an old `t` forges or stales it). */
export function carrierSignature(rawBody: string, secret = CARRIER_SECRET, unixSeconds = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${rawBody}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

export async function carrierPost(platform: Platform, body: unknown, signature?: string): Promise<Reply> {
  const raw = JSON.stringify(body);
  const res = await fetch(new URL("/v1/webhooks/carrier", platform.url), {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature === undefined ? {} : { "x-carrier-signature": signature }) },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), headers: res.headers, body: text ? JSON.parse(text) : {} };
}

/** An email as `/dev/outbox` lists it: the notifications Worker's own shape, without the bodies. */
export type OutboxItem = Omit<OutboxEmail, "text" | "html">;

export async function outboxOf(platform: Platform, orderId: string): Promise<OutboxItem[]> {
  const reply = await call(platform.url, "GET", `/dev/outbox?orderId=${encodeURIComponent(orderId)}`);
  if (reply.status !== 200) throw new Error(`outbox: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.items as OutboxItem[];
}

/** Polls until `ok`, then returns the last value (the caller's expect says what was wanted). */
export const waitFor = <T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000) => eventually(probe, ok, timeoutMs);

/** A count from one of the platform's databases (a sharded one's, the orders' or the payments': summed over its shards). */
export async function countIn(platform: Platform, worker: string, sql: string, ...args: unknown[]): Promise<number> {
  if (isSharded(worker)) return countShards(platform.miniflare, worker, sql, ...args);
  const db = await platform.miniflare.getD1Database("DB", worker);
  const row = await db
    .prepare(sql)
    .bind(...args)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Waits, if need be, until early in a clock minute: per-minute quotas count by clock minute. */
export async function earlyInClockMinute(): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 45_000) await new Promise((r) => setTimeout(r, 60_500 - into));
}
