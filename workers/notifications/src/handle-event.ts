import { EmailMessage } from "cloudflare:email";
import type { z } from "zod";
import { EVENT_TYPES, type EventEnvelope, type OrderPaid, type RefundCompleted, type ShipmentChanged } from "../../../schema/events.ts";
import type { EventHandlers } from "../../shared/src/event-consumer.ts";
import type { NotificationsConfig } from "./config.ts";
import { mimeMessage } from "./mime.ts";
import type { Email } from "./templates/layout.ts";
import { receipt } from "./templates/receipt.ts";
import { refund } from "./templates/refund.ts";
import { delivered, shipped } from "./templates/shipping.ts";

type Written = Email & { template: string; to: string; orderId: string };

/** The email an event asks for (the buyer's address travels in the event: no call back to other services). */
function emailFor(event: EventEnvelope, shopUrl: string): Written | null {
  const orderUrl = (orderId: string) => `${shopUrl.replace(/\/$/, "")}/orders/${encodeURIComponent(orderId)}`;
  switch (event.type) {
    case EVENT_TYPES.orderPaid: {
      const o = event.data as z.infer<typeof OrderPaid>;
      return { template: "receipt", to: o.email, orderId: o.orderId, ...receipt(o, orderUrl(o.orderId)) };
    }
    case EVENT_TYPES.shipmentShipped: {
      const s = event.data as ShipmentChanged;
      return { template: "shipped", to: s.email, orderId: s.orderId, ...shipped(s, orderUrl(s.orderId)) };
    }
    case EVENT_TYPES.shipmentDelivered: {
      const s = event.data as ShipmentChanged;
      return { template: "delivered", to: s.email, orderId: s.orderId, ...delivered(s, orderUrl(s.orderId)) };
    }
    case EVENT_TYPES.refundCompleted: {
      const r = event.data as RefundCompleted;
      return { template: "refund", to: r.email, orderId: r.orderId, ...refund(r, orderUrl(r.orderId)) };
    }
    default:
      return null;
  }
}

const insertEmail = (db: D1Database, event: EventEnvelope, mail: Written, status: "pending" | "sent", now: number) =>
  db
    .prepare(
      `INSERT OR IGNORE INTO emails (id, event_id, template, to_address, subject, order_id, text_body, html_body, status, created_at, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      `eml_${event.id}`,
      event.id,
      mail.template,
      mail.to,
      mail.subject,
      mail.orderId,
      mail.text,
      mail.html,
      status,
      now,
      status === "sent" ? now : null,
    );

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
  const now = Date.now();
  if (config.MAIL_TRANSPORT === "dev-outbox") {
    const fault = await db
      .prepare("SELECT reason FROM dev_mail_faults WHERE address = ?")
      .bind(mail.to.toLowerCase())
      .first<{ reason: string }>();
    if (fault !== null) throw new Error(`mail rejected for ${mail.to}: ${fault.reason}`);
    return [insertEmail(db, event, mail, "sent", now)];
  }
  const sent = await db.prepare("SELECT status FROM emails WHERE event_id = ?").bind(event.id).first<{ status: string }>();
  if (sent?.status === "sent") return [];
  await insertEmail(db, event, mail, "pending", now).run();
  const raw = mimeMessage({
    from: config.MAIL_FROM,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: event.id,
    domain: config.MAIL_FROM.split("@")[1] ?? "edge-commerce.dev",
    date: new Date(now),
  });
  await env.EMAIL.send(new EmailMessage(config.MAIL_FROM, mail.to, raw));
  return [db.prepare("UPDATE emails SET status = 'sent', sent_at = ? WHERE event_id = ?").bind(Date.now(), event.id)];
}

export function notificationHandlers(env: NotificationsEnv, config: NotificationsConfig): EventHandlers {
  const handler = (event: EventEnvelope) => send(env, config, event);
  return {
    [EVENT_TYPES.orderPaid]: handler,
    [EVENT_TYPES.shipmentShipped]: handler,
    [EVENT_TYPES.shipmentDelivered]: handler,
    [EVENT_TYPES.refundCompleted]: handler,
  };
}
