import { and, isNotNull, type SQL, sql } from "drizzle-orm";
import type { ShippingAddress } from "#schema/orders/dto.ts";
import { type Change, type D1Db, inList } from "./d1.ts";
import { erasedUsersTable, outboxTable } from "./event-tables.ts";

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

const erasedUsers = erasedUsersTable();
const outbox = outboxTable();

/** Remembers the erased account (`erased_users`), so late events about it are anonymised as they arrive. */
export const rememberErased = (db: D1Db, userId: string): Change =>
  db.insert(erasedUsers).values({ userId, erasedAt: Date.now() }).onConflictDoNothing();

/**
 * Events of these orders still waiting in the outbox (a failed send leaves them for the cron) lose the buyer's
 * email too: what leaves after the erasure carries none. `guard`: only if it holds when the write runs.
 */
export const scrubOutbox = (db: D1Db, orderIds: readonly string[], guard?: SQL): Change =>
  db
    .update(outbox)
    .set({ body: sql`json_set(${outbox.body}, '$.data.email', ${ERASED_EMAIL})` })
    .where(
      and(
        inList(sql`json_extract(${outbox.body}, '$.data.orderId')`, orderIds),
        isNotNull(sql`json_extract(${outbox.body}, '$.data.email')`),
        guard,
      ),
    );
