import { readFileSync } from "node:fs";
import { clientAddress, type MixResult, type MixSpec, percentile } from "./load-spec.ts";
import { checkoutBody } from "./shopper.ts";

// The shopper traffic mix of Google's Online Boutique load generator, by weight: view product 10,
// view cart 3, add to cart 2, change currency or list a category 2, home page 1, checkout 1. Only the
// steps the platform serves so far run; the others are reported as not yet available.
const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as MixSpec;
const SESSION_STEPS = 10;

// A session is one shopper: one cart, one client address (limits count per client, as they would for people).
// `items` counts the lines the session added since its last order, so a checkout knows it has something to buy.
type Cart = { id: string; token: string; ip: string; items: number };
type Call = { path: string; method?: string; headers?: Record<string, string>; body?: string };
type Step = {
  name: string;
  weight: number;
  call: (i: number, cart: Cart) => Call;
  /** The answer that counts as success (200 unless said). */
  expect?: number;
  /** Runs after a success. */
  after?: (cart: Cart) => void;
};
const json = { "content-type": "application/json" };
const addToCart: Step = {
  name: "add to cart",
  weight: 2,
  call: (i, cart) => ({
    path: `/v1/carts/${cart.id}/items`,
    method: "POST",
    headers: { ...json, "x-cart-token": cart.token },
    body: JSON.stringify({ sku: spec.skus[i % spec.skus.length], quantity: 1 }),
  }),
  after: (cart) => {
    cart.items++;
  },
};
// Online Boutique's checkout task adds an item first, then places the order; here the add happens only when
// the session's cart is empty (it is timed as an add to cart), then POST /v1/checkout with a fresh key.
const checkout: Step = {
  name: "checkout",
  weight: 1,
  call: (_i, cart) => ({
    path: "/v1/checkout",
    method: "POST",
    headers: { ...json, "x-cart-token": cart.token, "idempotency-key": crypto.randomUUID() },
    body: checkoutBody(cart.id),
  }),
  expect: 201,
  after: (cart) => {
    cart.items = 0; // the ordered lines leave the cart
  },
};
const STEPS: Step[] = [
  { name: "view product", weight: 10, call: (i) => ({ path: spec.productPaths[i % spec.productPaths.length] ?? "/" }) },
  { name: "view cart", weight: 3, call: (_i, cart) => ({ path: `/v1/carts/${cart.id}`, headers: { "x-cart-token": cart.token } }) },
  addToCart,
  { name: "list category", weight: 2, call: (i) => ({ path: spec.categoryPaths[i % spec.categoryPaths.length] ?? "/" }) },
  { name: "home listing", weight: 1, call: () => ({ path: "/v1/products?limit=20" }) },
  { name: "search with facets", weight: 1, call: (i) => ({ path: spec.searchPaths[i % spec.searchPaths.length] ?? "/" }) },
  checkout,
];
const totalWeight = STEPS.reduce((n, s) => n + s.weight, 0);

// A fixed-seed sequence keeps runs comparable.
let seed = 12345;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = (): Step => {
  let roll = random() * totalWeight;
  for (const step of STEPS) {
    roll -= step.weight;
    if (roll < 0) return step;
  }
  return STEPS[0] as Step;
};

const latencies = new Map<string, number[]>(STEPS.map((s) => [s.name, []]));
const stepErrors = new Map<string, number>(STEPS.map((s) => [s.name, 0]));
let sessions = 0;
let counter = 0;
const deadline = Date.now() + spec.seconds * 1000;

let shoppersSeen = 0;
async function newCart(): Promise<Cart> {
  const ip = clientAddress(spec.firstClient + shoppersSeen++);
  const res = await fetch(new URL("/v1/carts", spec.origin), { method: "POST", headers: { "cf-connecting-ip": ip } });
  return { ...((await res.json()) as { id: string; token: string }), ip, items: 0 };
}

async function timed(step: Step, cart: Cart): Promise<void> {
  const call = step.call(counter++, cart);
  const started = performance.now();
  try {
    const res = await fetch(new URL(call.path, spec.origin), {
      method: call.method ?? "GET",
      headers: { ...call.headers, "cf-connecting-ip": cart.ip },
      ...(call.body ? { body: call.body } : {}),
    });
    await res.arrayBuffer();
    if (res.status === (step.expect ?? 200)) step.after?.(cart);
    else stepErrors.set(step.name, (stepErrors.get(step.name) ?? 0) + 1);
  } catch {
    stepErrors.set(step.name, (stepErrors.get(step.name) ?? 0) + 1);
  }
  latencies.get(step.name)?.push(performance.now() - started);
}

// A session is one shopper with a cart of its own doing SESSION_STEPS weighted steps.
async function shopper(): Promise<void> {
  while (Date.now() < deadline) {
    const cart = await newCart();
    for (let i = 0; i < SESSION_STEPS && Date.now() < deadline; i++) {
      const step = pick();
      if (step === checkout && cart.items === 0) await timed(addToCart, cart);
      await timed(step, cart);
    }
    if (Date.now() < deadline) sessions++;
  }
}

const started = Date.now();
await Promise.all(Array.from({ length: spec.shoppers }, shopper));
const elapsed = (Date.now() - started) / 1000;
const steps: MixResult["steps"] = {};
let requests = 0;
let errors = 0;
for (const [name, values] of latencies) {
  values.sort((a, b) => a - b);
  const e = stepErrors.get(name) ?? 0;
  steps[name] = { count: values.length, p50: percentile(values, 50), p99: percentile(values, 99), errors: e };
  requests += values.length;
  errors += e;
}
const result: MixResult = { sessions, sessionsPerSecond: sessions / elapsed, requests, errors, steps };
process.stdout.write(`${JSON.stringify(result)}\n`);
