import { EVENT_TYPES, type EventEnvelope, requestIdOf } from "#schema/events.ts";
import { d1Db, type Effect } from "#shared/d1.ts";
import { ERASED_EMAIL, rememberErased } from "#shared/erasure.ts";
import type { EventHandlers } from "#shared/event-consumer.ts";
import type { NotificationsConfig } from "./config.ts";
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

const insertEmail = (db: D1Database, event: Source, mail: Written, buyer: string | null, status: "pending" | "sent", now: number) =>
  db
    .prepare(
      `INSERT OR IGNORE INTO emails (id, event_id, template, to_address, subject, order_id, user_id, text_body, html_body, status, created_at, sent_at, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      `eml_${event.id}`,
      event.id,
      mail.template,
      mail.to,
      mail.subject,
      mail.orderId,
      buyer,
      mail.text,
      mail.html,
      status,
      now,
      status === "sent" ? now : null,
      requestIdOf(event),
    );

/**
 * Whose order the email is about (the event's account, or the one an earlier email of the order named) and
 * whether that account was erased. An address fulfilment has already anonymised counts as erased too.
 */
async function buyerOf(db: D1Database, mail: Written): Promise<{ userId: string | null; erased: boolean }> {
  const row = await db
    .prepare(
      `SELECT b.user_id AS userId, EXISTS (SELECT 1 FROM erased_users e WHERE e.user_id = b.user_id) AS erased
       FROM (SELECT COALESCE(?1, (SELECT user_id FROM emails WHERE order_id = ?2 AND user_id IS NOT NULL LIMIT 1)) AS user_id) b`,
    )
    .bind(mail.userId, mail.orderId)
    .first<{ userId: string | null; erased: number }>();
  return { userId: row?.userId ?? null, erased: mail.to === ERASED_EMAIL || row?.erased === 1 };
}

/** The order's emails lose the address (its buyer was erased); its content is about the order, not them. */
const forgetOrder = (db: D1Database, orderId: string) =>
  db.prepare("UPDATE emails SET to_address = ? WHERE order_id = ?").bind(ERASED_EMAIL, orderId);

/** Run with the email's own row: if its buyer was erased meanwhile, the row loses the address at once. */
const forgetIfErased = (db: D1Database, eventId: string) =>
  db
    .prepare("UPDATE emails SET to_address = ? WHERE event_id = ? AND user_id IN (SELECT user_id FROM erased_users)")
    .bind(ERASED_EMAIL, eventId);

/**
 * One email per event, whatever the redeliveries. Locally the email *is* its row (status sent), committed with
 * the event's processed mark. In production the row is written first (pending), the message sent (its
 * X-Event-Id header is the event id, so a rare resend after a crash is recognisable as the same message), then marked
 * sent with the event. A refusal (a mailbox rejects it, the mail service is down) throws: the queue retries,
 * then dead-letters it with that error.
 */
async function send(env: NotificationsEnv, config: NotificationsConfig, event: Source, mail: Written): Promise<D1PreparedStatement[]> {
  const { DB: db } = env;
  // An erased buyer is written to no more: an event about their order that was on its way when the erasure
  // came writes nothing, and makes sure the order's earlier emails are anonymous too.
  const buyer = await buyerOf(db, mail);
  if (buyer.erased) return [forgetOrder(db, mail.orderId)];
  const now = Date.now();
  if (config.MAIL_TRANSPORT === "dev-outbox") {
    const fault = await db
      .prepare("SELECT reason FROM dev_mail_faults WHERE address = ?")
      .bind(mail.to.toLowerCase())
      .first<{ reason: string }>();
    if (fault !== null) throw new Error(`mail rejected for ${mail.to}: ${fault.reason}`);
    return [insertEmail(db, event, mail, buyer.userId, "sent", now), forgetIfErased(db, event.id)];
  }
  const sent = await db.prepare("SELECT status FROM emails WHERE event_id = ?").bind(event.id).first<{ status: string }>();
  if (sent?.status === "sent") return [];
  await insertEmail(db, event, mail, buyer.userId, "pending", now).run();
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
  return [
    db.prepare("UPDATE emails SET status = 'sent', sent_at = ? WHERE event_id = ?").bind(Date.now(), event.id),
    forgetIfErased(db, event.id),
  ];
}

/**
 * identity.user_erased → the emails of the account's orders keep what they said (the order, the amounts) but
 * not where they went; the account is remembered, so later events about its orders write nothing.
 */
const forgetBuyer = (db: D1Database, userId: string): Promise<Effect[]> => {
  return Promise.resolve([
    rememberErased(d1Db(db), userId),
    db
      .prepare("UPDATE emails SET to_address = ?1 WHERE user_id = ?2 OR order_id IN (SELECT order_id FROM emails WHERE user_id = ?2)")
      .bind(ERASED_EMAIL, userId),
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
    [EVENT_TYPES.userErased]: (e) => forgetBuyer(env.DB, e.data.userId),
  };
}
