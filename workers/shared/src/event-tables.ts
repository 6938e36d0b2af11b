import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// The tables every service that takes part in events keeps in its own database (one definition, here beside
// outbox.ts, event-consumer.ts and erasure.ts that use them; one migration per database): events waiting to
// leave, events already handled, accounts erased. Each Worker's db/tables.ts makes its own copies.

/** Events waiting to leave: written in the same batch as the change they announce, sent after it. */
export const outboxTable = () =>
  sqliteTable("outbox", {
    id: text("id").primaryKey(),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
  });

/** Events this service has handled, by id: a redelivered event finds its id here and changes nothing. */
export const processedEventsTable = () =>
  sqliteTable("processed_events", {
    eventId: text("event_id").primaryKey(),
    type: text("type").notNull(),
    processedAt: integer("processed_at").notNull(),
  });

/**
 * Accounts erased (identity.user_erased), by id: an event about one of them that was already on its way when
 * the erasure arrived is anonymised as it is applied, so it cannot bring the person back.
 */
export const erasedUsersTable = () =>
  sqliteTable("erased_users", {
    userId: text("user_id").primaryKey(),
    erasedAt: integer("erased_at").notNull(),
  });
