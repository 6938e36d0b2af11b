// A MIME message (RFC 5322, 2045–2047) with a plain-text and an HTML alternative: the email binding takes the
// raw message. Bodies are base64, so any UTF-8 survives any relay and no line is too long; a subject that is not
// plain ASCII becomes encoded words.

export type MimeInput = { from: string; to: string; subject: string; text: string; html: string; messageId: string; date: Date };

const CRLF = "\r\n";

const base64 = (bytes: Uint8Array): string => {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
};

const bodyBase64 = (text: string): string => (base64(new TextEncoder().encode(text)).match(/.{1,76}/g) ?? []).join(CRLF);

// An encoded word may be at most 75 characters and must hold whole characters: 42 UTF-8 bytes make 56 base64
// characters, which with `=?UTF-8?B?…?=` and "Subject: " stays within a 78-character line.
const WORD_BYTES = 42;

function encodedWords(value: string): string {
  const encoder = new TextEncoder();
  const words: string[] = [];
  let chunk = "";
  for (const char of value) {
    if (encoder.encode(chunk + char).length > WORD_BYTES) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk !== "") words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64(encoder.encode(w))}?=`).join(`${CRLF} `);
}

/** Printable ASCII stays as it is; anything else (accents, emoji, a stray CR or LF) is encoded, so it cannot start a header. */
const headerText = (value: string): string => (/^[\x20-\x7E]*$/.test(value) ? value : encodedWords(value));

/** An address goes into a header as it is, so one that could break the header (spaces, CR/LF, brackets) is refused. */
function mailbox(address: string): string {
  if (!/^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+$/.test(address)) throw new Error(`not a mailbox address: ${JSON.stringify(address)}`);
  return address;
}

// RFC 5322 dates name the zone as an offset; toUTCString ends in the obsolete "GMT".
const rfc5322Date = (date: Date): string => date.toUTCString().replace(/GMT$/, "+0000");

export function mimeMessage(input: MimeInput): string {
  // "=_" never occurs in base64, so no body line can be mistaken for the boundary.
  const boundary = `=_edge_${input.messageId.replace(/[^A-Za-z0-9]/g, "").slice(0, 40)}`;
  const part = (type: string, body: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=utf-8`, "Content-Transfer-Encoding: base64", "", bodyBase64(body)].join(CRLF);
  return [
    `From: ${mailbox(input.from)}`,
    `To: ${mailbox(input.to)}`,
    `Subject: ${headerText(input.subject)}`,
    `Date: ${rfc5322Date(input.date)}`,
    `Message-ID: <${input.messageId}>`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    part("text/plain", input.text),
    part("text/html", input.html),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}
