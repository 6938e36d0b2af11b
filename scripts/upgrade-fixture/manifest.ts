import { z } from "zod";

// What `scripts/make-upgrade-fixture.ts` made with a release's own code, and what test/system/upgrade.test.ts must
// find after booting today's code on that state. Written beside the packed state as <commit>.json.

const TEN_YEARS_SECONDS = String(10 * 365 * 24 * 3600);

/**
 * Vars both runs use (the manifest keeps them): the release while it makes the state, today's code while it reads it. An upgrade runs on live
 * state seconds after the old code wrote it; a fixture is read weeks later, so whatever the old code set to expire
 * by the clock (sign-in windows, refresh and device tokens, idle carts, remembered Idempotency-Keys) is given ten
 * years, and the test sees it as an upgrade would. Holds cannot last past a day (the Inventory caps their TTL): the
 * test expects them to have lapsed cleanly once their time is past.
 */
export const FIXTURE_VARS: Record<string, Record<string, string>> = {
  identity: {
    LOGIN_WINDOW_SECONDS: TEN_YEARS_SECONDS,
    LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_CLIENT: "5",
    REFRESH_TOKEN_TTL_SECONDS: TEN_YEARS_SECONDS,
    DEVICE_TOKEN_TTL_SECONDS: TEN_YEARS_SECONDS,
  },
  "durable-objects": { CART_IDLE_TTL_SECONDS: TEN_YEARS_SECONDS, FLASH_HOLD_TTL_SECONDS: "86400" },
  orders: { CHECKOUT_KEY_LIFETIME_SECONDS: TEN_YEARS_SECONDS },
};

/**
 * Vars only the release's run adds: the interrupted checkout is left for today's code. Its watchdog is due 20 s
 * after the crash, once the release has stopped (the crash is the last thing made), so whenever the test runs
 * the alarm is already due and today's code resumes the checkout by itself.
 */
export const WATCHDOG_SECONDS = 20;
export const MAKING_VARS: Record<string, Record<string, string>> = {
  ...FIXTURE_VARS,
  orders: { ...FIXTURE_VARS.orders, CHECKOUT_WATCHDOG_SECONDS: String(WATCHDOG_SECONDS) },
};

const Json = z.record(z.string(), z.unknown());
const Line = z.object({ sku: z.string(), quantity: z.number().int() });
const Money = z.object({ amount: z.number().int(), currency: z.string() });
const Client = z.string().describe("the client address (CF-Connecting-IP) the calls came from");
/** A checkout request as sent: the same key and body (and, for a guest, cart token) replay the same answer. */
const CheckoutRequest = z.object({ key: z.string(), body: Json, client: Client, cartToken: z.string().nullable() });

/** An order as its owner read it once it had settled: what must not change across the upgrade. */
export const OrderRecord = z.object({
  id: z.string(),
  status: z.string(),
  items: z.array(Line.extend({ unitPrice: Money, lineTotal: Money })),
  totals: z.object({ subtotal: Money, shipping: Money, tax: Money, total: Money }),
  checkout: CheckoutRequest,
});
export type OrderRecord = z.infer<typeof OrderRecord>;

export const StockRecord = z.object({
  onHand: z.number().int(),
  holds: z.array(z.object({ holdId: z.string(), quantity: z.number().int(), owner: z.string(), expiresAt: z.number() })),
  movements: z.array(z.string()),
});
export type StockRecord = z.infer<typeof StockRecord>;

export const UpgradeManifest = z.object({
  release: z.string().regex(/^[0-9a-f]{40}$/),
  madeAt: z.iso.datetime(),
  demoSize: z.number().int().positive(),
  vars: z.record(z.string(), z.record(z.string(), z.string())),
  /** The release's local secrets (throwaway, made by its first start): production keeps its secrets across an upgrade. */
  secrets: z.record(z.string(), z.record(z.string(), z.string())),
  accounts: z.object({
    shopper: z.object({
      email: z.string(),
      password: z.string(),
      userId: z.string(),
      refreshToken: z.string(),
      deviceToken: z.string(),
    }),
    /** An account with failed sign-ins from one client, still counted by its LoginThrottle objects. */
    locked: z.object({ email: z.string(), password: z.string(), client: Client, failures: z.number().int() }),
  }),
  carts: z.object({
    guest: z.object({ id: z.string(), token: z.string(), client: Client, lines: z.array(Line), flashSku: z.string() }),
    shopper: z.object({ id: z.string(), client: Client, lines: z.array(Line), flashSku: z.string() }),
  }),
  orders: z.object({
    guest: OrderRecord.extend({ orderToken: z.string() }),
    shopper: OrderRecord,
    /** A checkout that died after committing its stock: the release never finished it. */
    interrupted: z.object({
      id: z.string(),
      cart: z.object({ id: z.string(), token: z.string() }),
      checkout: CheckoutRequest,
    }),
  }),
  /** Every SKU the fixture touched, as its Inventory object had it at the end. */
  stock: z.record(z.string(), StockRecord),
  apiKey: z.object({ id: z.string(), key: z.string(), merchantId: z.string(), requests: z.number().int() }),
});
export type UpgradeManifest = z.infer<typeof UpgradeManifest>;
