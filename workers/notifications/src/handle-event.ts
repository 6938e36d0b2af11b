import { and, eq, inArray, isNotNull, or, type SQL } from "drizzle-orm";
import { EVENT_TYPES, type EventEnvelope, requestIdOf } from "#schema/events.ts";
import type { Change } from "#shared/d1.ts";
import { ERASED_EMAIL, rememberErased } from "#shared/erasure.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import { devMailFaults, emails, erasedUsers } from "../db/tables.ts";
import type { NotificationsConfig } from "./config.ts";
import { type NotificationsDb, notificationsDb } from "./db.ts";
import { outgoingEmail } from "./outgoing-email.ts";
import type { Email } from "./templates/layout.tsx";
import { receipt } from "./templates/receipt.ts";
import { refund } from "./templates/refund.ts";
import { delivered, shipped } from "./templates/shipping.ts";

/** An email as written: `userId` is the buyer's account when the event names it (order.paid). */
type Written = Email & { template: string; to: string; orderId: string; userId: string | null };

/** Where a buyer reads their order: every email links to it. */
const orderLink = (shopUrl: string, orderId: string) => `${shopUrl.replace(/\/$/, "")}/orders/${encodeURIComponent(orderId)}`;

/** The event as an email is written from it: its id is the email's (one per event), its request the log's. */
type Source = Pick<EventEnvelope, "id" | "requestId">;

const insertEmail = (db: NotificationsDb, event: Source, mail: Written, buyer: string | null, status: "pending" | "sent", now: number) =>
  db
    .insert(emails)
    .values({
      id: `eml_${event.id}`,
      eventId: event.id,
      template: mail.template,
      toAddress: mail.to,
      subject: mail.subject,
      orderId: mail.orderId,
      userId: buyer,
      textBody: mail.text,
      htmlBody: mail.html,
      status,
      createdAt: now,
      sentAt: status === "sent" ? now : null,
      requestId: requestIdOf(event),
    })
    .onConflictDoNothing();

/**
 * Whose order the email is about (the event's account, or the one an earlier email of the order named) and
 * whether that account was erased. An address fulfilment has already anonymised counts as erased too.
 */
async function buyerOf(db: NotificationsDb, mail: Written): Promise<{ userId: string | null; erased: boolean }> {
  const [earlier] =
    mail.userId === null
      ? await db
          .select({ userId: emails.userId })
          .from(emails)
          .where(and(eq(emails.orderId, mail.orderId), isNotNull(emails.userId)))
          .limit(1)
      : [];
  const userId = mail.userId ?? earlier?.userId ?? null;
  if (mail.to === ERASED_EMAIL) return { userId, erased: true };
  const [erased] =
    userId === null ? [] : await db.select({ userId: erasedUsers.userId }).from(erasedUsers).where(eq(erasedUsers.userId, userId)).limit(1);
  return { userId, erased: erased !== undefined };
}

/** The accounts erased (identity.user_erased), as a subquery. */
const erasedAccounts = (db: NotificationsDb) => db.select({ userId: erasedUsers.userId }).from(erasedUsers);

/** The emails matching `where` lose the address. */
const forgetAddress = (db: NotificationsDb, where: SQL | undefined): Change =>
  db.update(emails).set({ toAddress: ERASED_EMAIL }).where(where);

/** The order's emails lose the address (its buyer was erased); its content is about the order, not them. */
const forgetOrder = (db: NotificationsDb, orderId: string) => forgetAddress(db, eq(emails.orderId, orderId));

/** Run with the email's own row: if its buyer was erased meanwhile, the row loses the address at once. */
const forgetIfErased = (db: NotificationsDb, eventId: string) =>
  forgetAddress(db, and(eq(emails.eventId, eventId), inArray(emails.userId, erasedAccounts(db))));

/**
 * One email per event, whatever the redeliveries. Locally the email *is* its row (status sent), committed with
 * the event's processed mark. In production the row is written first (pending), the message sent (its
 * X-Event-Id header is the event id, so a rare resend after a crash is recognisable as the same message), then marked
 * sent with the event. A refusal (a mailbox rejects it, the mail service is down) throws: the queue retries,
 * then dead-letters it with that error.
 */
async function send(env: NotificationsEnv, config: NotificationsConfig, event: Source, mail: Written): Promise<Change[]> {
  const db = notificationsDb(env.DB);
  // An erased buyer is written to no more: an event about their order that was on its way when the erasure
  // came writes nothing, and makes sure the order's earlier emails are anonymous too.
  const buyer = await buyerOf(db, mail);
  if (buyer.erased) return [forgetOrder(db, mail.orderId)];
  const now = Date.now();
  if (config.MAIL_TRANSPORT === "dev-outbox") {
    const [fault] = await db
      .select({ reason: devMailFaults.reason })
      .from(devMailFaults)
      .where(eq(devMailFaults.address, mail.to.toLowerCase()))
      .limit(1);
    if (fault !== undefined) throw new Error(`mail rejected for ${mail.to}: ${fault.reason}`);
    return [insertEmail(db, event, mail, buyer.userId, "sent", now), forgetIfErased(db, event.id)];
  }
  const [sent] = await db.select({ status: emails.status }).from(emails).where(eq(emails.eventId, event.id)).limit(1);
  if (sent?.status === "sent") return [];
  await insertEmail(db, event, mail, buyer.userId, "pending", now);
  await env.EMAIL.send(
    outgoingEmail({
      from: config.MAIL_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      eventId: event.id,
      requestId: requestIdOf(event),
    }),
  );
  return [db.update(emails).set({ status: "sent", sentAt: Date.now() }).where(eq(emails.eventId, event.id)), forgetIfErased(db, event.id)];
}

/**
 * identity.user_erased → the emails of the account's orders keep what they said (the order, the amounts) but
 * not where they went; the account is remembered, so later events about its orders write nothing.
 */
const forgetBuyer = (db: NotificationsDb, userId: string): Promise<Change[]> => {
  const theirOrders = db.select({ orderId: emails.orderId }).from(emails).where(eq(emails.userId, userId));
  return Promise.resolve([
    rememberErased(db, userId),
    forgetAddress(db, or(eq(emails.userId, userId), inArray(emails.orderId, theirOrders))),
  ]);
};

/** The email each event asks for (the buyer's address travels in the event: no call back to other services). */
export function notificationHandlers(env: NotificationsEnv, config: NotificationsConfig): EventHandlers<"NOTIFICATION_EVENTS"> {
  const link = (orderId: string) => orderLink(config.SHOP_URL, orderId);
  const about = (d: { email: string; orderId: string }, template: string, userId: string | null = null) => ({
    template,
    to: d.email,
    orderId: d.orderId,
    userId,
  });
  return {
    [EVENT_TYPES.orderPaid]: (e) =>
      send(env, config, e, { ...about(e.data, "receipt", e.data.userId), ...receipt(e.data, link(e.data.orderId)) }),
    [EVENT_TYPES.shipmentShipped]: (e) => send(env, config, e, { ...about(e.data, "shipped"), ...shipped(e.data, link(e.data.orderId)) }),
    [EVENT_TYPES.shipmentDelivered]: (e) =>
      send(env, config, e, { ...about(e.data, "delivered"), ...delivered(e.data, link(e.data.orderId)) }),
    [EVENT_TYPES.refundCompleted]: (e) => send(env, config, e, { ...about(e.data, "refund"), ...refund(e.data, link(e.data.orderId)) }),
    [EVENT_TYPES.userErased]: (e) => forgetBuyer(notificationsDb(env.DB), e.data.userId),
  };
}
