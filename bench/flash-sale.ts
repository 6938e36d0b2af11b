import { readFileSync } from "node:fs";
import { clientAddress, type FlashResult, type FlashSpec, percentile } from "./load-spec.ts";
import { addItem, checkoutRequest, type GuestCart, inPool, newCart } from "./shopper.ts";

// A flash sale, from a process of its own: every buyer has a guest cart and an address of its own (opened
// before the sale, untimed). When the sale opens, `concurrency` buyers at a time each add one unit of the SKU
// (flash-sale stock is held at add-to-cart, so once it is all held the adds get 409) and check out what they
// got. The sale is cut off `seconds` after it opens; the orchestrator counts the orders and the stock after.
const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as FlashSpec;

const carts: GuestCart[] = await inPool(spec.buyers, spec.concurrency, (i) => newCart(spec.origin, clientAddress(spec.firstClient + i)));

const adds: Record<string, number> = {};
const checkouts: Record<string, number> = {};
const addMs: number[] = [];
const checkoutMs: number[] = [];
const heldAt: number[] = [];
const paidAt: number[] = [];
let served = 0;
const count = (tally: Record<string, number>, status: number) => {
  tally[status] = (tally[status] ?? 0) + 1;
};

const opened = performance.now();
const deadline = opened + spec.seconds * 1000;
await inPool(carts.length, spec.concurrency, async (i) => {
  const cart = carts[i];
  if (cart === undefined || performance.now() >= deadline) return;
  let started = performance.now();
  const added = await addItem(spec.origin, cart, spec.sku, 1).catch(() => 0);
  addMs.push(performance.now() - started);
  count(adds, added);
  if (added !== 200) {
    served++;
    return;
  }
  heldAt.push(performance.now() - opened);
  const request = checkoutRequest(cart);
  started = performance.now();
  const status = await fetch(new URL(request.path, spec.origin), { method: "POST", headers: request.headers, body: request.body ?? "" })
    .then(async (res) => {
      await res.arrayBuffer();
      return res.status;
    })
    .catch(() => 0);
  checkoutMs.push(performance.now() - started);
  count(checkouts, status);
  if (status === 201) paidAt.push(performance.now() - opened);
  served++;
});
const durationMs = performance.now() - opened;

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const paidSorted = sorted(paidAt);
const fine = (adds["200"] ?? 0) + (adds["409"] ?? 0);
const result: FlashResult = {
  buyers: spec.buyers,
  served,
  adds,
  checkouts,
  paid: checkouts["201"] ?? 0,
  lastHoldMs: heldAt.length > 0 ? Math.max(...heldAt) : null,
  soldOutMs: paidSorted[spec.units - 1] ?? null,
  durationMs,
  addP50: percentile(sorted(addMs), 50),
  addP99: percentile(sorted(addMs), 99),
  checkoutP50: percentile(sorted(checkoutMs), 50),
  checkoutP99: percentile(sorted(checkoutMs), 99),
  errors: addMs.length - fine + (checkoutMs.length - (checkouts["201"] ?? 0)) + (spec.buyers - served),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
