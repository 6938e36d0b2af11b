import { REQUEST_ID_PATTERN } from "#schema/request-id.ts";

// The message as the send_email binding's builder form takes it: the Email Service writes the MIME itself (Date,
// Message-ID, the multipart body, encoded words) and refuses those headers from us, so ours are only X- ones.

/** What `env.EMAIL.send()` gets: assignable to the binding's EmailMessageBuilder. */
export type OutgoingEmail = { from: string; to: string; subject: string; text: string; html: string; headers: Record<string, string> };

export type OutgoingInput = {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The event the email is for, as X-Event-Id: a rare resend after a crash is recognisable as the same message. */
  eventId: string;
  /** The request that caused the email, as X-Request-Id: support finds its logs from a message a shopper forwards. */
  requestId: string;
};

/** An address is sent to only if it is one plain address (no display name, list, line break or space). */
function address(value: string): string {
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(value)) throw new Error(`refusing to send to ${JSON.stringify(value)}: not a plain email address`);
  return value;
}

/**
 * An event id comes from a queue body and may be any string: anything but printable ASCII (and `%`, so two ids
 * never look alike) is percent-escaped, so the header stays one line of what mail relays carry.
 */
const headerValue = (value: string): string =>
  value.replace(/[^\x21-\x7E]|%/gu, (ch) => encodeURIComponent(ch.isWellFormed() ? ch : "\uFFFD"));

export function outgoingEmail(input: OutgoingInput): OutgoingEmail {
  return {
    from: address(input.from),
    to: address(input.to),
    // A subject is one line: an order id from an event cannot start a header or a body.
    subject: input.subject.replace(/[\r\n]+/g, " "),
    text: input.text,
    html: input.html,
    headers: {
      "X-Event-Id": headerValue(input.eventId),
      ...(REQUEST_ID_PATTERN.test(input.requestId) ? { "X-Request-Id": input.requestId } : {}),
    },
  };
}
