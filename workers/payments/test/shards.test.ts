import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_CARDS } from "#schema/payments.ts";
import { orderIdOn } from "#shared/order-id.ts";
import { paymentShards } from "../src/shards.ts";
import { authorizeRequest, call, rowsPerShard, uid } from "./helpers.ts";

// The ledger in shards, through the service's RPC entrypoint as the orders Worker calls it: a payment's id is
// its order's id, and the payment lives on the shard that id names.
const payments = exports.PaymentsService;

describe("payment shards", () => {
  it("are the config's databases in order, DB first", () => {
    expect(paymentShards(env)).toEqual([env.DB, env.DB_1, env.DB_2, env.DB_3]);
  });

  it("a payment of an order on shard 2 is written, read, captured and refunded on payments shard 2 only", async () => {
    const req = { ...authorizeRequest(TEST_CARDS.succeeds, 1500), paymentId: orderIdOn(2) };
    const charged = await payments.charge(req, uid("cap"), call);
    expect(charged).toMatchObject({ ok: true, value: { capture: { outcome: "captured" } } });
    expect(await rowsPerShard("payments", req.paymentId)).toEqual([0, 0, 1, 0]);
    expect(await rowsPerShard("ledger", req.paymentId)).toEqual([0, 0, 2, 0]);

    expect(await payments.getPayment(req.paymentId, call)).toMatchObject({ ok: true, value: { status: "captured", captured: 1500 } });
    const refunded = await payments.refund(req.paymentId, uid("ref"), { amount: 500, currency: "USD" }, call);
    expect(refunded).toMatchObject({ ok: true, value: { outcome: "refunded", payment: { refunded: 500 } } });
    expect(await rowsPerShard("ledger", req.paymentId)).toEqual([0, 0, 3, 0]);
  });

  it("a void of a payment on shard 1 is recorded there", async () => {
    const req = { ...authorizeRequest(TEST_CARDS.succeeds), paymentId: orderIdOn(1) };
    expect(await payments.authorize(req, call)).toMatchObject({ ok: true, value: { outcome: "authorized" } });
    expect(await payments.voidPayment(req.paymentId, uid("void"), call)).toMatchObject({ ok: true, value: { outcome: "voided" } });
    expect(await rowsPerShard("ledger", req.paymentId)).toEqual([0, 2, 0, 0]);
    expect(await rowsPerShard("payments", req.paymentId)).toEqual([0, 1, 0, 0]);
  });

  it("an id naming a shard that does not exist is no payment: not found, not authorized, nothing written", async () => {
    const nowhere = "ord_9AbCdEfGhIjKlMnOp";
    expect(await payments.getPayment(nowhere, call)).toEqual({ ok: true, value: null });
    expect(await payments.capture(nowhere, uid("cap"), call)).toMatchObject({ ok: false, problem: { status: 404 } });
    expect(await payments.refund(nowhere, uid("ref"), { amount: 1, currency: "USD" }, call)).toMatchObject({
      ok: false,
      problem: { status: 404 },
    });
    expect(await payments.voidPayment(nowhere, uid("void"), call)).toEqual({ ok: true, value: { outcome: "voided", payment: null } });
    const req = { ...authorizeRequest(TEST_CARDS.succeeds), paymentId: nowhere };
    expect(await payments.authorize(req, call)).toMatchObject({ ok: false, problem: { status: 400 } });
    expect(await rowsPerShard("ledger", nowhere)).toEqual([0, 0, 0, 0]);
  });

  it("health asks every shard", async () => {
    expect(await payments.health()).toMatchObject({ status: "ok" });
  });
});
