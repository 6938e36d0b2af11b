import { EVENT_TYPES, type EventData, type EventEnvelope, type EventType } from "../../../schema/events.ts";
import type { EventHandler, EventHandlers } from "../../shared/src/event-consumer.ts";
import type { NotificationsConfig } from "./config.ts";
import { type EmailRecord, emailIdFor, emailStatus, insertEmail, markSent, type TemplateName } from "./email-store.ts";
import { delivered } from "./templates/delivered.ts";
import type { Email } from "./templates/layout.ts";
import { receipt } from "./templates/receipt.ts";
import { refund } from "./templates/refund.ts";
import { shipped } from "./templates/shipped.ts";
import { type Mailer, refuseIfFaulted, sendThroughBinding } from "./transport.ts";

export type NotificationDeps = {
  db: D1Database;
  mailer: Mailer;
  config: Pick<NotificationsConfig, "MAIL_TRANSPORT" | "MAIL_FROM" | "SHOP_URL">;
};

/**
 * One email per event, whatever the redeliveries. The statements returned commit with the event's processed
 * mark (consumeEvents), so an event is either marked and its email recorded as sent, or neither.
 * - dev-outbox: the row (status sent) is the delivery.
 * - send_email: the row is written pending first, the message sent, and the row marked sent with the event. A
 *   crash between the send and the commit resends on redelivery, with the same Message-ID.
 */
async function deliver(mail: EmailRecord, { db, mailer, config }: NotificationDeps): Promise<D1PreparedStatement[]> {
  const now = Date.now();
  if (config.MAIL_TRANSPORT === "dev-outbox") {
    await refuseIfFaulted(db, mail.to);
    return [insertEmail(db, mail, "sent", now)];
  }
  if ((await emailStatus(db, mail.eventId)) === "sent") return [];
  await insertEmail(db, mail, "pending", now).run();
  await sendThroughBinding(mailer, config.MAIL_FROM, mail, new Date(now));
  return [markSent(db, mail.eventId, Date.now())];
}

type Render<T extends EventType> = (data: EventData<T>, shopUrl: string) => Email;

/** The handler of one event type: render its template, then deliver it. */
function emailOn<T extends EventType>(type: T, template: TemplateName, render: Render<T>, deps: NotificationDeps): EventHandlers {
  const handler: EventHandler = (event: EventEnvelope) => {
    // consumeEvents calls this handler only for events of type T, whose data parseEvent has checked against T's
    // schema; every notified event names the buyer and the order.
    const data = event.data as EventData<T> & { email: string; orderId: string };
    const mail: EmailRecord = {
      id: emailIdFor(event.id),
      eventId: event.id,
      template,
      to: data.email,
      orderId: data.orderId,
      ...render(data, deps.config.SHOP_URL),
    };
    return deliver(mail, deps);
  };
  return { [type]: handler };
}

export function notificationHandlers(deps: NotificationDeps): EventHandlers {
  return {
    ...emailOn(EVENT_TYPES.orderPaid, "receipt", receipt, deps),
    ...emailOn(EVENT_TYPES.shipmentShipped, "shipped", shipped, deps),
    ...emailOn(EVENT_TYPES.shipmentDelivered, "delivered", delivered, deps),
    ...emailOn(EVENT_TYPES.refundCompleted, "refund", refund, deps),
  };
}
