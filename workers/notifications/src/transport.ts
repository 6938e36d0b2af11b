import { EmailMessage } from "cloudflare:email";
import { type EmailRecord, mailFault } from "./email-store.ts";
import { mimeMessage } from "./mime.ts";

// How an email leaves. In production: a MIME message through Cloudflare's email binding. Locally (dev-outbox)
// nothing leaves: the email's row is the delivery, and the local mail sink can be told to refuse an address, the
// way Mailpit's chaos mode does, so a test sees a failing delivery retried, dead-lettered, then replayed.

/** The part of the email binding used here (a test can stand in for it). */
export type Mailer = { send(message: EmailMessage): Promise<unknown> };

const MESSAGE_ID_DOMAIN = "edge-commerce.dev";

/**
 * `<eventId@edge-commerce.dev>`: a resend of the same event carries the same Message-ID, so a mailbox can tell it
 * is the same message. Characters a Message-ID may not hold (event ids such as `ord_1:paid` have a colon) are
 * written =XX, which keeps distinct ids distinct.
 */
export function messageIdFor(eventId: string): string {
  const left = Array.from(new TextEncoder().encode(eventId), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9_-]/.test(c) ? c : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
  return `${left}@${MESSAGE_ID_DOMAIN}`;
}

/** Sends through the email binding; a refusal (a rejected recipient, the service down) throws, and the queue retries. */
export async function sendThroughBinding(mailer: Mailer, from: string, mail: EmailRecord, date: Date): Promise<void> {
  const raw = mimeMessage({
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: messageIdFor(mail.eventId),
    date,
  });
  await mailer.send(new EmailMessage(from, mail.to, raw));
}

/** The local mail sink: throws, as a refusing mail server would, for an address a test has told it to refuse. */
export async function refuseIfFaulted(db: D1Database, address: string): Promise<void> {
  const reason = await mailFault(db, address);
  if (reason !== null) throw new Error(`mail rejected for ${address}: ${reason}`);
}
