import { eq, sql } from "drizzle-orm";
import { EVENT_TYPES } from "#schema/events.ts";
import { ERASED_NAME } from "#shared/erasure.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import { type CatalogDb, tables } from "../db.ts";

const { reviews } = tables;

/**
 * identity.user_erased → the account's reviews stay (their ratings are in every product's sum and count, and
 * a verified purchase is still one) but lose the person: the author shows as "A former customer" and the link
 * to the account becomes the review's own, so the one-review-per-buyer key still holds. Applying it twice
 * finds nothing left to change.
 */
export const forgetAuthorHandlers = (db: CatalogDb): EventHandlers<"CATALOG_EVENTS"> => ({
  [EVENT_TYPES.userErased]: async ({ data: { userId } }) => [
    db
      .update(reviews)
      .set({ author: ERASED_NAME, userId: sql`'erased:' || ${reviews.id}`, updatedAt: Date.now() })
      .where(eq(reviews.userId, userId)),
  ],
});
