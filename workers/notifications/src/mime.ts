import { REQUEST_ID_PATTERN } from "../../../schema/request-id.ts";

// A MIME message (RFC 5322 / 2045–2047) with a plain-text and an HTML alternative, for the email binding,
// which takes the raw message. Bodies are base64 (any UTF-8 survives any relay); a non-ASCII subject is an
// encoded word.

const utf8Base64 = (text: string): string => {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
};

const wrap = (base64: string): string => base64.replace(/.{1,76}/g, "$&\r\n");

/**
 * A header value: as is when printable ASCII, else encoded words of at most 45 bytes of UTF-8 each (72 characters,
 * under RFC 2047's 75), never splitting a character, folded onto continuation lines.
 */
function encodeHeader(value: string): string {
  if (/^[\x20-\x7E]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = "";
  for (const ch of value) {
    if (new TextEncoder().encode(chunk + ch).length > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += ch;
  }
  if (chunk !== "") words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${utf8Base64(w)}?=`).join("\r\n ");
}

/** An address goes into a header only if it cannot add one (no line breaks or control characters). */
function address(value: string): string {
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(value)) throw new Error(`refusing to send to ${JSON.stringify(value)}: not a plain email address`);
  return value;
}

/** Message-ID's left side allows only "dot-atom" characters: anything else (an event id's colon) is =XX-escaped. */
const messageIdPart = (id: string): string =>
  id.replace(/[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]|=/g, (ch) => `=${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);

/** `messageId` is the left side only (an event id); the domain is `domain`. */
export type MimeInput = {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The request that caused the email, as X-Request-Id: support finds its logs from a message a shopper forwards. */
  requestId: string;
  domain: string;
  date: Date;
};

export function mimeMessage(input: MimeInput): string {
  const boundary = `=_edge_${input.messageId.replace(/[^A-Za-z0-9]/g, "").slice(0, 40)}`;
  const part = (type: string, body: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=utf-8`, "Content-Transfer-Encoding: base64", "", wrap(utf8Base64(body))].join("\r\n");
  return [
    `From: ${address(input.from)}`,
    `To: ${address(input.to)}`,
    `Subject: ${encodeHeader(input.subject)}`,
    `Date: ${input.date.toUTCString().replace(/GMT$/, "+0000")}`,
    `Message-ID: <${messageIdPart(input.messageId)}@${input.domain}>`,
    ...(REQUEST_ID_PATTERN.test(input.requestId) ? [`X-Request-Id: ${input.requestId}`] : []),
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    part("text/plain", input.text),
    part("text/html", input.html),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}
