import type { ShippingAddress } from "#schema/orders/dto.ts";

// What stands where an erased buyer's details were (identity.user_erased). Records that must stay for accounting
// (orders, invoices, the emails sent) keep their ids and amounts and lose the person.

/** RFC 2606 reserves `.invalid`: nothing is ever delivered there, and it still reads as an address. */
export const ERASED_EMAIL = "erased@erased.invalid";
export const ERASED_NAME = "A former customer";
const GONE = "(erased)";

/** The address without the person: only the country and region stay (they decided the tax). */
export const erasedAddress = (address: Pick<ShippingAddress, "country" | "region">): ShippingAddress => ({
  name: ERASED_NAME,
  line1: GONE,
  city: GONE,
  postalCode: GONE,
  ...(address.region === undefined ? {} : { region: address.region }),
  country: address.country,
});

/** Remembers the erased account (`erased_users`), so late events about it are anonymised as they arrive. */
export const rememberErased = (db: D1Database, userId: string): D1PreparedStatement =>
  db.prepare("INSERT OR IGNORE INTO erased_users (user_id, erased_at) VALUES (?, ?)").bind(userId, Date.now());

/**
 * Events of these orders still waiting in the outbox (a failed send leaves them for the cron) lose the buyer's
 * email too: what leaves after the erasure carries none.
 */
export const scrubOutbox = (db: D1Database, orderIds: readonly string[]): D1PreparedStatement =>
  db
    .prepare(
      `UPDATE outbox SET body = json_set(body, '$.data.email', ?1)
       WHERE json_extract(body, '$.data.orderId') IN (SELECT value FROM json_each(?2)) AND json_extract(body, '$.data.email') IS NOT NULL`,
    )
    .bind(ERASED_EMAIL, JSON.stringify(orderIds));
