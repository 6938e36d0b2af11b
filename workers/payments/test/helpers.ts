import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import type { ProviderName } from "#schema/payments.ts";
import { hmacSha256Hex } from "#shared/crypto.ts";
import { createLogger } from "#shared/logger.ts";
import { shardOf } from "#shared/order-id-shards.ts";
import { ledger, payments } from "../db/tables.ts";
import { type CallDeps, type PaymentsDb, paymentsDb } from "../src/db.ts";
import type { Fetch, PaymentProvider } from "../src/provider.ts";
import { allPaymentDbs, paymentShards } from "../src/shards.ts";

/** Shard 0, where every payment of these tests' ids (`pay_…`, not order ids) lives. */
export const db = paymentsDb(env.DB);
export const call = { requestId: "payments-test" };
export const uid = (prefix: string): string => `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;

/** A card that has not expired, with the number given. */
export const card = (number: string) => ({ number, expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "737" });

/** An authorization request of a new payment under a new key; `payment` says how the shopper pays. */
const attempt = (amount: number, currency: string) => ({
  paymentId: uid("pay"),
  idempotencyKey: uid("auth"),
  amount: { amount, currency },
  email: "shopper@example.com",
  description: "Order test",
});

/** Paid with a card number: the built-in test provider's method only. */
export const authorizeRequest = (number: string, amount = 1000, currency = "USD") => ({
  ...attempt(amount, currency),
  payment: { method: "card" as const, card: card(number) },
});

/** Paid with a PaymentMethod that Stripe.js made in the shopper's browser (the card never reaches us). */
export const stripeRequest = (paymentMethodId: string, amount = 1000, currency = "USD") => ({
  ...attempt(amount, currency),
  payment: { method: "stripe" as const, paymentMethodId },
});

/** Paid with a PayPal order the payer approved in PayPal's buttons or card fields. */
export const paypalRequest = (orderId: string, amount = 1000, currency = "USD") => ({
  ...attempt(amount, currency),
  payment: { method: "paypal" as const, orderId },
});

/** The shard of the payments database a payment id names, as the Worker picks it. */
export function shardOfPayment(paymentId: string): PaymentsDb {
  const shard = shardOf(paymentShards(env), paymentId);
  if (shard === null) throw new Error(`${paymentId} names no shard`);
  return paymentsDb(shard);
}

/** How many rows of `table` each shard holds for the payment: where it was written. */
export const rowsPerShard = (table: "payments" | "ledger", paymentId: string): Promise<number[]> =>
  Promise.all(
    paymentShards(env).map(async (d1) => {
      const row = await d1.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE payment_id = ?`).bind(paymentId).first<{ n: number }>();
      return row?.n ?? 0;
    }),
  );

/** Every ledger row of a payment. */
export const ledgerOf = (paymentId: string) => shardOfPayment(paymentId).select().from(ledger).where(eq(ledger.paymentId, paymentId));

/** The payment's row, or undefined when nothing was recorded of it. */
export async function paymentRow(paymentId: string) {
  const [row] = await shardOfPayment(paymentId).select().from(payments).where(eq(payments.paymentId, paymentId));
  return row;
}

/** Operations' dependencies with one provider as the primary (and the only one configured). */
export function depsWith(provider: PaymentProvider): CallDeps {
  return {
    shards: allPaymentDbs(env),
    providers: { primary: provider, get: (name: ProviderName) => (name === provider.name ? provider : null) },
    log: createLogger("payments-test", "error"),
    now: Date.now,
  };
}

export type Recorded = { url: string; path: string; method: string; headers: Record<string, string>; body: string };

/**
 * A `fetch` that records every request and answers from `route`, the way a provider's recorded responses
 * would: tests check what was sent (headers, idempotency keys, bodies) and how often.
 */
export function recorder(route: (req: Recorded, calls: Recorded[]) => Response | Promise<Response>) {
  const calls: Recorded[] = [];
  const fetcher: Fetch = async (url, init) => {
    const req: Recorded = {
      url,
      path: new URL(url).pathname,
      method: init.method ?? "GET",
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: typeof init.body === "string" ? init.body : "",
    };
    calls.push(req);
    return route(req, calls);
  };
  return { fetcher, calls, to: (path: string) => calls.filter((c) => c.path === path) };
}

export const json = (status: number, body: unknown): Response =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export async function stripeSignature(secret: string, rawBody: string, timestamp = Math.floor(Date.now() / 1000)): Promise<string> {
  return `t=${timestamp},v1=${await hmacSha256Hex(secret, `${timestamp}.${rawBody}`)}`;
}

/** Every value of every row of every table of ours, on every shard, as text: what a leak of card data would show up in. */
export async function everyStoredValue(): Promise<string[]> {
  const values: string[] = [];
  for (const d1 of paymentShards(env)) {
    const tables = await d1
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'")
      .all<{ name: string }>();
    for (const { name } of tables.results) {
      const rows = await d1.prepare(`SELECT * FROM "${name}"`).all<Record<string, unknown>>();
      for (const row of rows.results) values.push(...Object.values(row).map((v) => String(v)));
    }
  }
  return values;
}
