import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { commit } from "#shared/d1.ts";
import { cartCreatedChanges, dayOf, orderPaidChanges } from "../src/aggregate.ts";
import { insightsDb } from "../src/db.ts";
import { cartCreated, paidOrder, unique } from "./events.ts";

const db = insightsDb(env.DB);
const rows = async <T>(sql: string, ...args: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...args)
      .all<T>()
  ).results;

describe("dayOf", () => {
  it("is the UTC day of an ISO time", () => {
    expect(dayOf("2026-03-01T23:59:59.999Z")).toBe("2026-03-01");
  });
});

describe("orderPaidChanges", () => {
  it("counts an order once per merchant part, with its product lines' units and revenue", async () => {
    const [a, b, shoe, sock, plan] = [unique("m"), unique("m"), unique("shoe"), unique("sock"), unique("plan")];
    const order = paidOrder("2025-01-10", {
      [a]: [
        { slug: shoe, quantity: 2, price: 5000, title: "Trail shoe" },
        { slug: plan, quantity: 1, price: 900, kind: "warranty" },
      ],
      [b]: [{ slug: sock, quantity: 3, price: 700 }],
    });
    await commit(db, orderPaidChanges(db, order));
    const merchants = await rows<{ merchant_id: string; orders: number; units: number; revenue: number }>(
      "SELECT merchant_id, orders, units, revenue FROM merchant_daily WHERE merchant_id IN (?, ?) AND day = ? ORDER BY revenue DESC",
      a,
      b,
      "2025-01-10",
    );
    // The warranty is no product sold: it counts neither as units nor as revenue.
    expect(merchants).toEqual([
      { merchant_id: a, orders: 1, units: 2, revenue: 10_000 },
      { merchant_id: b, orders: 1, units: 3, revenue: 2_100 },
    ]);
    const products = await rows<{ product_slug: string; title: string; units: number }>(
      "SELECT product_slug, title, units FROM product_daily WHERE product_slug IN (?, ?, ?) ORDER BY units",
      shoe,
      sock,
      plan,
    );
    // A line without a title (an older event) is named by its slug.
    expect(products).toEqual([
      { product_slug: shoe, title: "Trail shoe", units: 2 },
      { product_slug: sock, title: sock, units: 3 },
    ]);
  });

  it("adds a second order of the day to the same rows", async () => {
    const [m, shoe] = [unique("m"), unique("shoe")];
    for (const quantity of [1, 4]) {
      await commit(db, orderPaidChanges(db, paidOrder("2025-01-11", { [m]: [{ slug: shoe, quantity, price: 100 }] })));
    }
    expect(await rows("SELECT orders, units, revenue FROM merchant_daily WHERE merchant_id = ?", m)).toEqual([
      { orders: 2, units: 5, revenue: 500 },
    ]);
    expect(await rows("SELECT units, revenue FROM product_daily WHERE product_slug = ?", shoe)).toEqual([{ units: 5, revenue: 500 }]);
  });

  it("pairs every two distinct products of an order, both ways round, once per order", async () => {
    const [m, x, y, z] = [unique("m"), unique("x"), unique("y"), unique("z")];
    await commit(
      db,
      orderPaidChanges(
        db,
        paidOrder("2025-01-12", {
          [m]: [
            { slug: x, quantity: 1, price: 1 },
            { slug: y, quantity: 1, price: 1 },
            { slug: x, quantity: 2, price: 1 },
          ],
        }),
      ),
    );
    await commit(
      db,
      orderPaidChanges(
        db,
        paidOrder("2025-01-12", { [m]: [{ slug: x, quantity: 1, price: 1 }], [unique("m")]: [{ slug: z, quantity: 1, price: 1 }] }),
      ),
    );
    const pairs = await rows<{ product_slug: string; other_slug: string; orders: number }>(
      "SELECT product_slug, other_slug, orders FROM product_pairs WHERE product_slug IN (?, ?, ?)",
      x,
      y,
      z,
    );
    expect(pairs).toHaveLength(4);
    expect(pairs).toContainEqual({ product_slug: x, other_slug: y, orders: 1 });
    expect(pairs).toContainEqual({ product_slug: y, other_slug: x, orders: 1 });
    // Products of different merchants' parts were bought together too.
    expect(pairs).toContainEqual({ product_slug: x, other_slug: z, orders: 1 });
    expect(pairs).toContainEqual({ product_slug: z, other_slug: x, orders: 1 });
    // The same product twice in one order is no pair with itself.
    expect(pairs.some((p) => p.product_slug === p.other_slug)).toBe(false);
  });

  it("counts the order in the platform's day", async () => {
    const day = "2025-02-01";
    await commit(db, orderPaidChanges(db, paidOrder(day, { [unique("m")]: [{ slug: unique("p"), quantity: 1, price: 1 }] })));
    await commit(db, [...cartCreatedChanges(db, cartCreated(day)), ...cartCreatedChanges(db, cartCreated(day))]);
    expect(await rows("SELECT orders, carts FROM platform_daily WHERE day = ?", day)).toEqual([{ orders: 1, carts: 2 }]);
  });
});
