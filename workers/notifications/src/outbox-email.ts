/** An email as the local outbox (`/dev/outbox`) lists it; tests read the same shape. */
export type OutboxEmail = {
  id: string;
  to: string;
  subject: string;
  template: string;
  orderId: string;
  eventId: string;
  sentAt: string;
  /** The request that caused it (the message's X-Request-Id); null for emails written before it was kept. */
  requestId: string | null;
  text: string;
  html: string;
};
