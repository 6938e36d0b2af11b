import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { Caller } from "#schema/identity/dto.ts";
import type { EdgeEnv } from "#shared/edge-app.ts";
import { ProblemError } from "#shared/problem.ts";
import { merchantScope, ownerOnly, ownMerchant } from "../src/guards.ts";

const caller = (role: Caller["role"], merchantId: string | null): Caller => ({ userId: "usr_1", role, merchantId, issuedAt: 0 });

describe("merchantScope", () => {
  it("is the caller's own merchant, or every merchant (null) for a platform admin", () => {
    expect(merchantScope(caller("merchant_staff", "m_1"))).toBe("m_1");
    expect(merchantScope(caller("merchant_owner", "m_2"))).toBe("m_2");
    expect(merchantScope(caller("platform_admin", null))).toBeNull();
    expect(merchantScope(caller("platform_admin", "m_3"))).toBeNull();
  });

  it("refuses (403) a merchant role that belongs to no merchant", () => {
    expect(() => merchantScope(caller("merchant_staff", null))).toThrow(ProblemError);
    try {
      merchantScope(caller("merchant_staff", null));
    } catch (err) {
      expect((err as ProblemError).problem.status).toBe(403);
    }
  });
});

describe("ownerOnly", () => {
  const app = (who: Caller) =>
    new Hono<EdgeEnv<AdminEnv>>()
      .use(async (c, next) => {
        c.set("caller", who);
        await next();
      })
      .use(ownerOnly.middleware)
      .get("/staff", (c) => c.text(ownMerchant(who)))
      .onError((err, c) => c.text(err.message, err instanceof ProblemError ? (err.problem.status as 403) : 500));

  it("lets the merchant's owner through", async () => {
    const res = await app(caller("merchant_owner", "m_1")).request("/staff");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("m_1");
  });

  it("refuses staff, an owner of no merchant, and a platform admin", async () => {
    for (const who of [caller("merchant_staff", "m_1"), caller("merchant_owner", null), caller("platform_admin", null)]) {
      const res = await app(who).request("/staff");
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("owner");
    }
  });
});
