import { describe, expect, it } from "vitest";
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "../src/passwords.ts";

describe("passwords", () => {
  // Cloudflare's runtime refuses PBKDF2 above 100,000 iterations; local workerd has no cap configured, so
  // the limit itself cannot be shown here: the hashes are shown to use exactly that count.
  it("use 100,000 PBKDF2 iterations, the most Cloudflare's runtime allows", () => {
    expect(PBKDF2_ITERATIONS).toBe(100_000);
  });

  it("store their parameters with a per-user salt, and verify only the right password", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(new RegExp(`^pbkdf2-sha256\\$${PBKDF2_ITERATIONS}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`));
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword("correct horse batterY", a)).toEqual({ ok: false, needsRehash: false });
    expect(await verifyPassword("anything", "!")).toEqual({ ok: false, needsRehash: false });
  });

  it("ask for a re-hash when a stored hash has fewer iterations than today's", async () => {
    const old = await hashPassword("correct horse battery", 10_000);
    expect(await verifyPassword("correct horse battery", old)).toEqual({ ok: true, needsRehash: true });
  });
});
