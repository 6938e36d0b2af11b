import { EmailMessage } from "cloudflare:email";
import type { z } from "zod";
import {
  EVENT_TYPES,
  type EventEnvelope,
  type OrderPaid,
  type RefundCompleted,
  requestIdOf,
  type ShipmentChanged,
  type UserErased,
} from "../../../schema/events.ts";
import { ERASED_EMAIL, rememberErased } from "../../shared/src/erasure.ts";
import type { EventHandlers } from "../../shared/src/event-consumer.ts";
import type { NotificationsConfig } from "./config.ts";
import { mimeMessage } from "./mime.ts";
import type { Email } from "./templates/layout.ts";
import { receipt } from "./templates/receipt.ts";
import { refund } from "./templates/refund.ts";
import { delivered, shipped } from "./templates/shipping.ts";

/** An email as written: `userId` is the buyer's account when the event names it (order.paid). */
type Written = Email & { template: string; to: string; orderId: string; userId: string | null };

/** The email an event asks for (the buyer's address travels in the event: no call back to other services). */
function emailFor(event: EventEnvelope, shopUrl: string): Written | null {
  const orderUrl = (orderId: string) => `${shopUrl.replace(/\/$/, "")}/orders/${encodeURIComponent(orderId)}`;
  switch (event.type) {
    case EVENT_TYPES.orderPaid: {
      const o = event.data as z.infer<typeof OrderPaid>;
      return { template: "receipt", to: o.email, orderId: o.orderId, userId: o.userId, ...receipt(o, orderUrl(o.orderId)) };
    }
    case EVENT_TYPES.shipmentShipped: {
      const s = event.data as ShipmentChanged;
      return { template: "shipped", to: s.email, orderId: s.orderId, userId: null, ...shipped(s, orderUrl(s.orderId)) };
    }
    case EVENT_TYPES.shipmentDelivered: {
      const s = event.data as ShipmentChanged;
      return { template: "delivered", to: s.email, orderId: s.orderId, userId: null, ...delivered(s, orderUrl(s.orderId)) };
    }
    case EVENT_TYPES.refundCompleted: {
      const r = event.data as RefundCompleted;
      return { template: "refund", to: r.email, orderId: r.orderId, userId: null, ...refund(r, orderUrl(r.orderId)) };
    }
    default:
      return null;
  }
}

const insertEmail = (db: D1Database, event: EventEnvelope, mail: Written, buyer: string | null, status: "pending" | "sent", now: number) =>
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
 * Message-ID is the event id, so a rare resend after a crash is recognisable as the same message), then marked
 * sent with the event. A refusal (a mailbox rejects it, the mail service is down) throws: the queue retries,
 * then dead-letters it with that error.
 */
async function send(env: NotificationsEnv, config: NotificationsConfig, event: EventEnvelope): Promise<D1PreparedStatement[]> {
  const mail = emailFor(event, config.SHOP_URL);
  if (mail === null) return [];
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
  const raw = mimeMessage({
    from: config.MAIL_FROM,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: event.id,
    requestId: requestIdOf(event),
    domain: config.MAIL_FROM.split("@")[1] ?? "edge-commerce.dev",
    date: new Date(now),
  });
  await env.EMAIL.send(new EmailMessage(config.MAIL_FROM, mail.to, raw));
  return [
    db.prepare("UPDATE emails SET status = 'sent', sent_at = ? WHERE event_id = ?").bind(Date.now(), event.id),
    forgetIfErased(db, event.id),
  ];
}

/**
 * identity.user_erased → the emails of the account's orders keep what they said (the order, the amounts) but
 * not where they went; the account is remembered, so later events about its orders write nothing.
 */
const forgetBuyer = (db: D1Database, event: EventEnvelope): Promise<D1PreparedStatement[]> => {
  const { userId } = event.data as UserErased;
  return Promise.resolve([
    rememberErased(db, userId),
    db
      .prepare("UPDATE emails SET to_address = ?1 WHERE user_id = ?2 OR order_id IN (SELECT order_id FROM emails WHERE user_id = ?2)")
      .bind(ERASED_EMAIL, userId),
  ]);
};

export function notificationHandlers(env: NotificationsEnv, config: NotificationsConfig): EventHandlers {
  const handler = (event: EventEnvelope) => send(env, config, event);
  return {
    [EVENT_TYPES.orderPaid]: handler,
    [EVENT_TYPES.shipmentShipped]: handler,
    [EVENT_TYPES.shipmentDelivered]: handler,
    [EVENT_TYPES.refundCompleted]: handler,
    [EVENT_TYPES.userErased]: (event) => forgetBuyer(env.DB, event),
  };
}
