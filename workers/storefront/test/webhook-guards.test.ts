import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { ProblemError } from "#shared/problem.ts";
import { signedDelivery, timestampedSignatureMissing } from "../src/routes/webhook-guards.ts";

describe("timestampedSignatureMissing", () => {
  it("passes a header of the t=…,v1=… scheme on to be checked", () => {
    expect(timestampedSignatureMissing("t=1700000000,v1=abc123")).toBeNull();
    expect(timestampedSignatureMissing("t=1700000000, v1=abc, v1=def, v0=old")).toBeNull();
  });

  it("says what is missing otherwise", () => {
    expect(timestampedSignatureMissing(undefined)).toBe("the signature header is missing");
    expect(timestampedSignatureMissing("")).toBe("the signature header is missing");
    expect(timestampedSignatureMissing("v1=abc")).toMatch(/no timestamp/);
    expect(timestampedSignatureMissing("t=soon,v1=abc")).toMatch(/no timestamp/);
    expect(timestampedSignatureMissing("t=1700000000,v0=abc")).toMatch(/v1 signature/);
  });
});

describe("signedDelivery", () => {
  let reached = 0;
  const app = new Hono<EdgeEnv<StorefrontEnv>>()
    .use(signedDelivery((c) => timestampedSignatureMissing(c.req.header("Stripe-Signature"))).middleware)
    .post("/hook", (c) => {
      reached++;
      return c.text("handled");
    })
    .onError((err, c) => c.text(err.message, err instanceof ProblemError ? (err.problem.status as 401) : 500));

  it("refuses (401) an unsigned delivery before the handler runs", async () => {
    const res = await app.request("/hook", { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("webhook refused: the signature header is missing");
    expect(reached).toBe(0);
  });

  it("lets a delivery with the signature's parts through to its owner", async () => {
    const res = await app.request("/hook", { method: "POST", body: "{}", headers: { "Stripe-Signature": "t=1,v1=ab" } });
    expect(res.status).toBe(200);
    expect(reached).toBe(1);
  });
});
