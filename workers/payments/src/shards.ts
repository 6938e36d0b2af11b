import { orderIdShards } from "#shared/order-id-shards.ts";
import { type PaymentsDb, paymentsDb } from "./db.ts";

// The ledger lives in shards, bound as DB (shard 0, which also holds every payment made before there were shards),
// DB_1, DB_2, … A payment's id is its order's id, which names a shard: the payment and its ledger rows are in the
// same-numbered shard here as the order is in the orders database, so one payment's operations (and the guards
// that make them safe, each one SQL statement) stay in one database. An idempotency key is therefore unique within
// its shard: a key reused for a payment on another shard is not caught, which our callers' keys cannot be (each
// names its order or return: `<orderId>:capture`, `<returnId>:refund`).

/** The shard databases in order: DB, then DB_1, DB_2, … for as long as they are bound. */
export const paymentShards = (env: Pick<PaymentsEnv, "DB">): D1Database[] => orderIdShards(env, "payments");

/** Every shard's database, shard 0 first. */
export const allPaymentDbs = (env: Pick<PaymentsEnv, "DB">): PaymentsDb[] => paymentShards(env).map(paymentsDb);
