import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { schemaVersion } from "#shared/object-schema.ts";
import { checkoutConfig } from "../src/config.ts";

// A settled checkout as the previous release saved it (its DDL, copied from that release; its nine step names).
const PREVIOUS_CHECKOUT =
  "CREATE TABLE IF NOT EXISTS checkout (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL, progress TEXT NOT NULL, created_at INTEGER NOT NULL)";
const settled = (orderId: string) => ({
  orderId,
  done: ["validateCart", "holdStock", "createOrder", "authorizePayment", "commitStock", "capturePayment", "markPaid"],
  request: {
    cartId: "crt_previous",
    email: "ada@example.com",
    shippingAddress: { name: "Ada", line1: "1 Row", city: "London", postalCode: "N1", country: "GB" },
    card: { last4: "4242" },
  },
  userId: null,
  orderToken: null,
  tokenHash: null,
  settled: true,
  answer: { status: 402, body: { type: "about:blank", title: "Payment Required", status: 402, detail: "declined" } },
});

async function previousCheckout(orderId: string, createdAt: number) {
  const stub = env.CHECKOUT.getByName(`previous:${crypto.randomUUID()}`);
  await runInDurableObject(stub, async (_object, state) => {
    state.storage.sql.exec(PREVIOUS_CHECKOUT);
    state.storage.sql.exec("INSERT INTO checkout VALUES (1, 'fp', ?, ?)", JSON.stringify(settled(orderId)), createdAt);
    await state.storage.setAlarm(Date.now());
  });
  return stub;
}

describe("Checkout objects of the previous release", () => {
  it("keep their saved progress and answer, and are at version 1 after their first call", async () => {
    const stub = await previousCheckout("ord_previous1", Date.now());
    expect(await stub.status()).toEqual({ orderId: "ord_previous1", done: settled("").done, settled: true, status: 402 });
    expect(await runInDurableObject(stub, (_object, state) => schemaVersion(state.storage.sql))).toBe(1);
    // Within the key's lifetime its alarm keeps it.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.status()).toMatchObject({ orderId: "ord_previous1", settled: true });
  });

  it("forget their key a day on, and the same object answers again afterwards (its schema made anew)", async () => {
    const stub = await previousCheckout("ord_previous2", Date.now() - checkoutConfig(env).keyLifetimeMs - 60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runInDurableObject(stub, (_object, state) => state.storage.sql.exec("SELECT name FROM sqlite_master").toArray())).toEqual(
      [],
    );
    // The instance that deleted everything is asked again (a retry of the key, an erasure reaching it).
    expect(await stub.status()).toBeNull();
    await stub.forgetBuyer();
    expect(await stub.status()).toBeNull();
  });
});
