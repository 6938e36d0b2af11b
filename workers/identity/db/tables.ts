import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ROLES } from "#schema/identity/dto.ts";

export type Role = (typeof ROLES)[number];

// A merchant is an organisation; its id is the `merchantId` on catalog products and orders.
export const organizations = sqliteTable("organizations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    // Lower-cased and trimmed: the unique key, so "Ann@x.com" and "ann@x.com" are one account.
    emailKey: text("email_key").notNull(),
    email: text("email").notNull(),
    name: text("name"),
    role: text("role", { enum: ROLES }).notNull(),
    merchantId: text("merchant_id").references(() => organizations.id),
    // `pbkdf2-sha256$<iterations>$<salt>$<hash>`: the parameters travel with the hash so they can be raised.
    passwordHash: text("password_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    erasedAt: integer("erased_at"),
    // An invited merchant member has no password yet: only the SHA-256 of the one-time invitation token,
    // until it is accepted (or it expires and the owner invites again).
    inviteTokenHash: text("invite_token_hash"),
    inviteExpiresAt: integer("invite_expires_at"),
  },
  (t) => [
    uniqueIndex("users_email_key_uq").on(t.emailKey),
    index("users_merchant_idx").on(t.merchantId),
    uniqueIndex("users_invite_token_uq").on(t.inviteTokenHash),
  ],
);

// Refresh tokens are opaque; only their SHA-256 is stored. Every use rotates the token within its family,
// and a rotated token presented again revokes the whole family (it has been stolen or replayed).
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    familyId: text("family_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    status: text("status", { enum: ["active", "rotated", "revoked"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    userAgent: text("user_agent"),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_uq").on(t.tokenHash),
    index("refresh_tokens_family_idx").on(t.familyId),
    index("refresh_tokens_user_idx").on(t.userId),
  ],
);

// Known devices (OWASP's "device cookie"): after a sign-in the browser keeps a long-lived random token; only its
// SHA-256 is stored. A sign-in that presents it for its account is not refused when strangers have spent the
// account's sign-in budget (it still meets the per-client and per-device limits). Deleting the row revokes it.
export const knownDevices = sqliteTable(
  "known_devices",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    tokenHash: text("token_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [uniqueIndex("known_devices_hash_uq").on(t.tokenHash), index("known_devices_user_idx").on(t.userId, t.lastUsedAt)],
);

// Events waiting to leave: written in the same batch as the state change they announce, sent after it,
// deleted once the queue has them. A send that fails leaves the row for the next flush.
export const outbox = sqliteTable("outbox", {
  id: text("id").primaryKey(),
  body: text("body").notNull(),
  createdAt: integer("created_at").notNull(),
});
