import { randomToken } from "./crypto.ts";

// Order ids name their shard: `ord_`, one base-36 digit (the shard), 16 random base64url characters. The orders
// Worker keeps an order in that shard of its database (workers/orders/src/shards.ts), and the payments Worker its
// payment (whose id is the order's) in the same-numbered shard of its own. Pure: tests read ids the same way.

/** Up to 36 shards: a shard's number is one base-36 digit of the order id. */
export const MAX_SHARDS = 36;
/** An id's random part: 12 bytes, 16 base64url characters (ids before shards were exactly `ord_` and this). */
const TOKEN_BYTES = 12;
const TOKEN_CHARS = 16;
const PREFIX = "ord_";

/** A new order's id on a shard chosen at random (spreads new orders evenly, whoever places them). */
export function newOrderId(shardCount: number): string {
  const [random = 0] = crypto.getRandomValues(new Uint32Array(1));
  return orderIdOn(random % shardCount);
}

/** A new order's id on shard `shard` (0 to MAX_SHARDS - 1). */
export const orderIdOn = (shard: number): string => `${PREFIX}${shard.toString(36)}${randomToken(TOKEN_BYTES)}`;

/** The shard an order id names: ids from before shards are on shard 0; an id naming no shard is null. */
export function shardIndexOf(orderId: string, shardCount: number): number | null {
  if (orderId.length !== PREFIX.length + 1 + TOKEN_CHARS) return 0;
  const shard = Number.parseInt(orderId.charAt(PREFIX.length), 36);
  return Number.isInteger(shard) && shard < shardCount ? shard : null;
}
