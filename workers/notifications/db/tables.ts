import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { erasedUsersTable, processedEventsTable } from "#shared/event-tables.ts";

// The notifications database: owned by the notifications Worker.

export const processedEvents = processedEventsTable();
export const erasedUsers = erasedUsersTable();

// One email per event (`event_id` is unique): what was written, to whom, and whether it has left. Under
// `npm start` the sent rows are the local outbox (GET /dev/outbox); in production they are the send log.
export const emails = sqliteTable(
  "emails",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull().unique(),
    template: text("template").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    orderId: text("order_id").notNull(),
    // The buyer's account (order.paid names it; later emails of the order take it from there), null for a
    // guest: an erased buyer's emails are found, and late events about their orders write none.
    userId: text("user_id"),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    status: text("status", { enum: ["pending", "sent"] }).notNull(),
    // The request that caused the email (the message's X-Request-Id): support follows a "where is my email?" from
    // the shopper's request to here. Null on emails written before it was kept.
    requestId: text("request_id"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [index("emails_order_idx").on(t.orderId, t.createdAt), index("emails_user_idx").on(t.userId)],
);

// The local mail sink's faults: mail to these addresses is refused until the row is removed (like Mailpit's
// chaos mode), so a test can make delivery fail, watch the retries and the dead letter, then fix it.
export const devMailFaults = sqliteTable("dev_mail_faults", {
  address: text("address").primaryKey(),
  reason: text("reason").notNull(),
  createdAt: integer("created_at").notNull(),
});
