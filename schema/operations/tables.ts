import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// The operations database: owned by the admin Worker. What the platform's operators look after.

// Event deliveries a consumer gave up on (or that a queue dead-lettered), kept until an operator replays them.
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    // The queue the event came from (a replay sends it back there) and who failed to consume it.
    queue: text("queue").notNull(),
    consumer: text("consumer"),
    messageId: text("message_id").notNull(),
    eventId: text("event_id"),
    eventType: text("event_type"),
    reason: text("reason").notNull(),
    attempts: integer("attempts"),
    body: text("body").notNull(),
    receivedAt: integer("received_at").notNull(),
    replayedAt: integer("replayed_at"),
    replays: integer("replays").notNull().default(0),
  },
  (t) => [index("dead_letters_received_idx").on(t.receivedAt), index("dead_letters_event_idx").on(t.eventId)],
);
