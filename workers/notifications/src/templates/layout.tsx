/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import type { FC } from "hono/jsx";
import { htmlDocument } from "#shared/html.ts";

/** What every template makes: the subject, and the same message as plain text and as HTML. */
export type Email = { subject: string; text: string; html: string };

export type Paragraph = string | { rows: [string, string][] };

type LayoutInput = { heading: string; paragraphs: Paragraph[]; link: { label: string; url: string } };

// Mail clients drop <style> and external sheets, so every element carries its own inline style.

const Rows: FC<{ rows: [string, string][] }> = ({ rows }) => (
  <table role="presentation" style="width:100%;border-collapse:collapse;margin:0 0 16px">
    {rows.map(([label, value]) => (
      <tr>
        <td style="padding:6px 0;color:#616e7c;border-bottom:1px solid #e4e7eb">{label}</td>
        <td style="padding:6px 0;text-align:right;border-bottom:1px solid #e4e7eb">{value}</td>
      </tr>
    ))}
  </table>
);

const EmailDocument: FC<LayoutInput> = ({ heading, paragraphs, link }) => (
  <>
    {raw("<!doctype html>")}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>{heading}</title>
      </head>
      <body style="margin:0;background:#f5f7fa;font:15px/1.5 -apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933">
        <div style="max-width:560px;margin:0 auto;padding:32px 16px">
          <div style="font-weight:700;letter-spacing:.02em;color:#3e4c59;margin-bottom:16px">Edge Commerce</div>
          <div style="background:#fff;border-radius:8px;padding:28px;border:1px solid #e4e7eb">
            <h1 style="font-size:20px;margin:0 0 16px">{heading}</h1>
            {paragraphs.map((p) => (typeof p === "string" ? <p style="margin:0 0 16px">{p}</p> : <Rows rows={p.rows} />))}
            <a
              href={link.url}
              style="display:inline-block;background:#2563eb;color:#fff;text-decoration:none;padding:10px 18px;border-radius:6px"
            >
              {link.label}
            </a>
          </div>
          <p style="color:#9aa5b1;font-size:12px;margin-top:16px">You get this email because you ordered from a shop on Edge Commerce.</p>
        </div>
      </body>
    </html>
  </>
);

/**
 * One look for every email: a heading, paragraphs (or a two-column table of label and value), a button to the
 * order. Everything passed in is text, escaped by JSX; templates never write HTML themselves.
 */
export function layout(input: LayoutInput): { text: string; html: string } {
  const text = [
    input.heading,
    "",
    ...input.paragraphs.flatMap((p) => (typeof p === "string" ? [p, ""] : [...p.rows.map(([k, v]) => `${k}: ${v}`), ""])),
    `${input.link.label}: ${input.link.url}`,
    "",
    "Edge Commerce",
  ].join("\n");
  return { text, html: htmlDocument(<EmailDocument {...input} />) };
}
