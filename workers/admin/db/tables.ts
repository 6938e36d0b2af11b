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

// Third-party API keys: the listing a merchant's owner sees. The secret is never stored (only its SHA-256, and
// that only in the key's own ApiKeyMeter object, which also keeps its quota window and daily usage).
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull(),
    name: text("name").notNull(),
    scope: text("scope", { enum: ["read", "write"] }).notNull(),
    // The key's first characters, so an owner can tell keys apart without the secret.
    prefix: text("prefix").notNull(),
    quotaPerMinute: integer("quota_per_minute").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_merchant_idx").on(t.merchantId, t.createdAt)],
);
