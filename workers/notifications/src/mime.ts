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

const encodeHeader = (value: string): string => (/^[\x20-\x7E]*$/.test(value) ? value : `=?UTF-8?B?${utf8Base64(value)}?=`);

export type MimeInput = { from: string; to: string; subject: string; text: string; html: string; messageId: string; date: Date };

export function mimeMessage(input: MimeInput): string {
  const boundary = `=_edge_${input.messageId.replace(/[^A-Za-z0-9]/g, "").slice(0, 40)}`;
  const part = (type: string, body: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=utf-8`, "Content-Transfer-Encoding: base64", "", wrap(utf8Base64(body))].join("\r\n");
  return [
    `From: ${input.from}`,
    `To: ${input.to}`,
    `Subject: ${encodeHeader(input.subject)}`,
    `Date: ${input.date.toUTCString()}`,
    `Message-ID: <${input.messageId}>`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    part("text/plain", input.text),
    part("text/html", input.html),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}
