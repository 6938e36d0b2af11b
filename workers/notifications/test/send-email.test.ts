import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, describe, expect, it } from "vitest";
import { outgoingEmail } from "../src/outgoing-email.ts";

// The builder form as the binding itself takes it, not as we read its types: a Worker in Miniflare passes what
// outgoingEmail builds to a real send_email binding. (Miniflare does not enforce the Email Service's refusal of
// platform headers such as Message-ID; that is why outgoingEmail's own test checks it sends X- headers only.)
const mf = new Miniflare(
  convertV4MiniflareOptions({
    modules: true,
    compatibilityDate: "2026-11-01",
    script: `export default {
      async fetch(request, env) {
        try {
          return Response.json(await env.EMAIL.send(await request.json()));
        } catch (e) {
          return Response.json({ error: String(e) }, { status: 500 });
        }
      },
    };`,
    email: { send_email: [{ name: "EMAIL" }] },
  }),
);

afterAll(() => mf.dispose());

describe("the send_email binding", () => {
  it("accepts the built message, X- headers included, and answers its message id", async () => {
    const message = outgoingEmail({
      from: "orders@edge-commerce.dev",
      to: "ada@example.com",
      subject: "Your order ord_1 is confirmed",
      text: "Thank you",
      html: "<!doctype html><p>Thank you</p>",
      eventId: "ord_1:paid",
      requestId: "req-42",
    });
    const res = await mf.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify(message) });
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({ messageId: expect.any(String) });
  });
});
