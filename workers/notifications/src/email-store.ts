// Reads and writes of the `notifications` database (one owner: this Worker): the emails written, one per event,
// and the local mail sink's faults.

export type TemplateName = "receipt" | "shipped" | "delivered" | "refund";

/** One email as rendered for one event, before it leaves. */
export type EmailRecord = {
  id: string;
  eventId: string;
  template: TemplateName;
  to: string;
  orderId: string;
  subject: string;
  text: string;
  html: string;
};

/** A sent email as the local outbox shows it. */
export type OutboxEmail = Omit<EmailRecord, "template"> & { template: string; sentAt: string };

/** Derived from the event, so every redelivery of an event names the same email. */
export const emailIdFor = (eventId: string): string => `eml_${eventId}`;

/** Fault addresses are kept and looked up in one form, so `Ada@Example.com` and `ada@example.com` are one mailbox. */
export const normalizeAddress = (address: string): string => address.trim().toLowerCase();

/** Written once per event: a redelivery's insert is ignored, whatever it would have written. */
export const insertEmail = (db: D1Database, mail: EmailRecord, status: "pending" | "sent", now: number): D1PreparedStatement =>
  db
    .prepare(
      `INSERT OR IGNORE INTO emails (id, event_id, template, to_address, subject, order_id, text_body, html_body, status, created_at, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(mail.id, mail.eventId, mail.template, mail.to, mail.subject, mail.orderId, mail.text, mail.html, status, now, status === "sent" ? now : null);

export async function emailStatus(db: D1Database, eventId: string): Promise<"pending" | "sent" | null> {
  const row = await db.prepare("SELECT status FROM emails WHERE event_id = ?").bind(eventId).first<{ status: "pending" | "sent" }>();
  return row?.status ?? null;
}

export const markSent = (db: D1Database, eventId: string, now: number): D1PreparedStatement =>
  db.prepare("UPDATE emails SET status = 'sent', sent_at = ? WHERE event_id = ? AND status = 'pending'").bind(now, eventId);

type EmailRow = {
  id: string;
  event_id: string;
  template: string;
  to_address: string;
  order_id: string;
  subject: string;
  text_body: string;
  html_body: string;
  sent_at: number;
};

export const OUTBOX_LIMIT = 500;

/** Sent emails, oldest first, optionally of one order and/or to one address. */
export async function sentEmails(db: D1Database, filter: { orderId?: string | undefined; to?: string | undefined }): Promise<OutboxEmail[]> {
  const { results } = await db
    .prepare(
      `SELECT id, event_id, template, to_address, order_id, subject, text_body, html_body, sent_at FROM emails
       WHERE status = 'sent' AND (?1 IS NULL OR order_id = ?1) AND (?2 IS NULL OR to_address = ?2 COLLATE NOCASE)
       ORDER BY sent_at, id LIMIT ?3`,
    )
    .bind(filter.orderId ?? null, filter.to ?? null, OUTBOX_LIMIT)
    .all<EmailRow>();
  return results.map((r) => ({
    id: r.id,
    to: r.to_address,
    subject: r.subject,
    template: r.template,
    orderId: r.order_id,
    eventId: r.event_id,
    sentAt: new Date(r.sent_at).toISOString(),
    text: r.text_body,
    html: r.html_body,
  }));
}

/** Why the local mail sink refuses this address, or null if it accepts it. */
export async function mailFault(db: D1Database, address: string): Promise<string | null> {
  const row = await db.prepare("SELECT reason FROM dev_mail_faults WHERE address = ?").bind(normalizeAddress(address)).first<{ reason: string }>();
  return row?.reason ?? null;
}

/** Makes the local mail sink refuse `address` with `reason`, or accept it again (null). */
export async function setMailFault(db: D1Database, address: string, reason: string | null, now: number): Promise<void> {
  const key = normalizeAddress(address);
  if (reason === null) await db.prepare("DELETE FROM dev_mail_faults WHERE address = ?").bind(key).run();
  else await db.prepare("INSERT OR REPLACE INTO dev_mail_faults (address, reason, created_at) VALUES (?, ?, ?)").bind(key, reason, now).run();
}
