import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../deploy/environments.ts";
import { type DeployOutcome, deployEnvironment } from "../deploy/deploy-environment.ts";
import { readIds, writeIds } from "../deploy/environment.ts";
import { wranglerRunner } from "../deploy/wrangler-runner.ts";
import type { FakeAccount } from "./fixtures/fake-wrangler.ts";

// `npm run deploy` against a fake wrangler (fixtures/fake-wrangler.ts): an account in a file, wrangler's output
// shapes, and Cloudflare's refusals (a deploy whose database id, queue, bucket, secret or bound Worker is missing).

const root = process.cwd();
// staging as deploy/environments.ts describes it, with the one value only an operator can give.
const environments = {
  staging: { ...ENVIRONMENTS.staging, vars: { ...ENVIRONMENTS.staging.vars, payments: { STRIPE_PUBLISHABLE_KEY: "pk_test_fake" } } },
};
const ALL_SECRETS = {
  "catalog-staging": ["CURSOR_SECRET"],
  "identity-staging": ["JWT_SIGNING_KEYS"],
  "payments-staging": ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"],
  "fulfillment-staging": ["CARRIER_WEBHOOK_SECRET"],
  "admin-staging": ["API_KEY_TAG_SECRET"],
};
const CATALOG_ID = "5a7a1091-0000-4000-8000-00000000ca7a";
// The orders database is four shards, each a D1 database of its own (workers/orders/wrangler.toml), and so is
// the payments ledger (workers/payments/wrangler.toml: a payment is on its order's shard number).
const ORDER_SHARDS = ["orders", "orders-1", "orders-2", "orders-3"];
const PAYMENT_SHARDS = ["payments", "payments-1", "payments-2", "payments-3"];
const SHARDED = { orders: ORDER_SHARDS, payments: PAYMENT_SHARDS };
const NEW_SHARDS = [...ORDER_SHARDS.slice(1), ...PAYMENT_SHARDS.slice(1)];

let dir: string;
let say: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "deploy-"));
  say = [];
});

function account(overrides: Partial<FakeAccount> = {}): void {
  const base: FakeAccount = {
    // Another environment's database and an unrelated queue page: found by exact name only.
    d1: [
      { uuid: CATALOG_ID, name: "catalog-staging", created_at: "", version: "production", num_tables: 9, file_size: 1 },
      {
        uuid: "0dd00000-0000-4000-8000-000000000001",
        name: "orders-production",
        created_at: "",
        version: "production",
        num_tables: 3,
        file_size: 1,
      },
    ],
    buckets: ["documents-staging", "documents-production"],
    queues: ["order-events-production", "a", "b", "c", "dead-letters-staging", "order-events-staging"],
    secrets: ALL_SECRETS,
    deployed: [],
    migrated: [],
  };
  writeFileSync(join(dir, "account.json"), JSON.stringify({ ...base, ...overrides }));
}
const state = (): FakeAccount => JSON.parse(readFileSync(join(dir, "account.json"), "utf8"));
const calls = (): string[][] =>
  readFileSync(join(dir, "account.json.calls"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
const changes = (list: string[][]) =>
  list.filter((c) => c.includes("create") || c.includes("migrations") || (c[0] === "deploy" && !c.includes("--dry-run")));

const deploy = (dryRun = false, described: typeof environments | typeof ENVIRONMENTS = environments): Promise<DeployOutcome> =>
  deployEnvironment({
    root,
    environment: "staging",
    dryRun,
    choices: { allowTestPayments: false },
    environments: described,
    wrangler: wranglerRunner(root, {
      script: "scripts/test/fixtures/fake-wrangler.ts",
      env: { FAKE_WRANGLER_STATE: join(dir, "account.json") },
    }),
    idsDir: join(dir, "ids"),
    outDir: join(dir, "out"),
    say: (line) => say.push(line),
  });

// Each fake wrangler call is a node process (about 60 calls a deploy).
describe("npm run deploy -- --env staging, against a fake account", { timeout: 60_000 }, () => {
  it("finds what exists by name, creates the rest, records the D1 ids, migrates, deploys each Worker after those it binds; and again, creates nothing", async () => {
    account();
    const outcome = await deploy();
    expect(outcome, say.join("\n")).toMatchObject({ ok: true });
    const after = state();

    // Found, not created: catalog-staging, documents-staging, dead-letters-staging, order-events-staging.
    expect(outcome.ok && outcome.created.sort()).toEqual(
      [
        ...["identity", ...PAYMENT_SHARDS, ...ORDER_SHARDS, "fulfillment", "notifications", "insights", "operations"].map(
          (db) => `D1 database ${db}-staging`,
        ),
        "R2 bucket edge-commerce-assets-staging",
        "R2 bucket edge-commerce-backups-staging",
        ...["inventory-events", "catalog-events", "insights-events", "identity-events", "fulfillment-events", "notification-events"].map(
          (q) => `queue ${q}-staging`,
        ),
      ].sort(),
    );
    expect(after.d1.filter((db) => db.name === "catalog-staging")).toHaveLength(1);
    // The queue list was read past its first page (order-events-staging is on the second).
    expect(calls().filter((c) => c[0] === "queues" && c[1] === "list").length).toBeGreaterThanOrEqual(2);

    const ids = readIds(join(dir, "ids"), "staging").d1;
    expect(Object.keys(ids).sort()).toEqual(
      after.d1
        .map((db) => db.name)
        .filter((n) => n.endsWith("-staging"))
        .sort(),
    );
    expect(ids["catalog-staging"]).toBe(CATALOG_ID);
    const catalogConfig = readFileSync(join(dir, "out/catalog/wrangler.jsonc"), "utf8");
    expect(catalogConfig).toContain(`"database_id": "${CATALOG_ID}"`);
    expect(after.migrated.sort()).toEqual(Object.keys(ids).sort());
    // Every shard found or created by its environment's name, its id recorded and bound, migrated.
    const migrations = calls().filter((c) => c.includes("migrations"));
    for (const [worker, shards] of Object.entries(SHARDED)) {
      const config = JSON.parse(readFileSync(join(dir, `out/${worker}/wrangler.jsonc`), "utf8").replace(/^\/\/.*\n/, "")) as {
        d1_databases: { binding: string; database_name: string; database_id: string }[];
      };
      expect(config.d1_databases.map(({ binding, database_name, database_id }) => ({ binding, database_name, database_id }))).toEqual(
        shards.map((db, n) => ({
          binding: n === 0 ? "DB" : `DB_${n}`,
          database_name: `${db}-staging`,
          database_id: ids[`${db}-staging`],
        })),
      );
      expect(new Set(shards.map((db) => ids[`${db}-staging`])).size).toBe(shards.length);
      for (const db of shards) expect(after.migrated, db).toContain(`${db}-staging`);
      for (const db of shards)
        expect(migrations.find((c) => c.includes(`${db}-staging`))?.at(-1), `${db}: migrated with the ${worker} config`).toMatch(
          new RegExp(`${worker}/wrangler\\.jsonc$`),
        );
    }

    // The fake refuses a Worker whose bound Workers are not deployed yet, so the order held; and public ones go last.
    expect(after.deployed).toHaveLength(10);
    expect(after.deployed.indexOf("durable-objects-staging")).toBeLessThan(after.deployed.indexOf("orders-staging"));
    expect(after.deployed.indexOf("catalog-staging")).toBeLessThan(after.deployed.indexOf("durable-objects-staging"));
    expect(after.deployed.slice(-2)).toEqual(["storefront-staging", "admin-staging"]);
    expect(say.join("\n")).toContain("https://storefront-staging.example.workers.dev");

    // Nothing was created or deployed before every Worker had bundled.
    const list = calls();
    const lastBundle = list.findLastIndex((c) => c.includes("--dry-run"));
    expect(lastBundle).toBeLessThan(list.findIndex((c) => c.includes("list")));

    // Again: everything is found, nothing is created, the same ids are recorded, every Worker is deployed anew.
    const recorded = readFileSync(join(dir, "ids/staging.json"), "utf8");
    const before = calls().length;
    const again = await deploy();
    expect(again, say.join("\n")).toEqual({ ok: true, order: expect.any(Array), created: [] });
    const second = calls().slice(before);
    expect(second.filter((c) => c.includes("create"))).toEqual([]);
    expect(second.filter((c) => c[0] === "deploy" && !c.includes("--dry-run"))).toHaveLength(10);
    expect(readFileSync(join(dir, "ids/staging.json"), "utf8")).toBe(recorded);
    expect(state().d1.filter((db) => db.name.endsWith("-staging"))).toHaveLength(8 + NEW_SHARDS.length);
  });

  it("adds a shard to an environment deployed before it: the new databases are created, recorded and migrated; the others keep their ids", async () => {
    // An environment as a deploy before the shards left it: every other database there, with its id on record.
    const before = ["catalog", "identity", "payments", "orders", "fulfillment", "notifications", "insights", "operations"].map((db, i) => ({
      uuid: `0b1d0000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      name: `${db}-staging`,
      created_at: "",
      version: "production",
      num_tables: 5,
      file_size: 1,
    }));
    account({ d1: before });
    const recorded = Object.fromEntries(before.map((db) => [db.name, db.uuid]));
    writeIds(join(dir, "ids"), "staging", { d1: recorded });
    const outcome = await deploy();
    expect(outcome, say.join("\n")).toMatchObject({ ok: true });
    expect(outcome.ok && outcome.created.filter((c) => c.startsWith("D1")).sort()).toEqual(
      NEW_SHARDS.map((db) => `D1 database ${db}-staging`).sort(),
    );
    const ids = readIds(join(dir, "ids"), "staging").d1;
    expect(ids).toMatchObject(recorded);
    for (const db of NEW_SHARDS) expect(ids[`${db}-staging`], db).toBe(state().d1.find((d) => d.name === `${db}-staging`)?.uuid);
    expect(state().migrated).toEqual(expect.arrayContaining([...ORDER_SHARDS, ...PAYMENT_SHARDS].map((db) => `${db}-staging`)));
    expect(say.join("\n")).not.toContain("replaces");
  });

  it("refuses, naming each missing secret and the command that sets it, before anything is created", async () => {
    // identity-staging was never deployed (wrangler: not found); payments-staging lacks its webhook secret.
    const { "identity-staging": _never, ...secrets } = ALL_SECRETS;
    account({ secrets: { ...secrets, "payments-staging": ["STRIPE_SECRET_KEY"] } });
    const outcome = await deploy();
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? [] : outcome.refusals).toEqual([
      "identity-staging has no secret JWT_SIGNING_KEYS: npx wrangler secret put JWT_SIGNING_KEYS --name identity-staging",
      "payments-staging has no secret STRIPE_WEBHOOK_SECRET: npx wrangler secret put STRIPE_WEBHOOK_SECRET --name payments-staging",
      expect.stringContaining("README"),
    ]);
    expect(changes(calls())).toEqual([]);
    expect(existsSync(join(dir, "ids/staging.json"))).toBe(false);
  });

  it("refuses before the account is asked anything while a value only the operator has is missing", async () => {
    account();
    const outcome = await deploy(false, ENVIRONMENTS);
    expect(outcome).toEqual({
      ok: false,
      refusals: [expect.stringContaining("set vars.payments.STRIPE_PUBLISHABLE_KEY in deploy/environments.ts")],
    });
    expect(calls().every((c) => c.includes("--dry-run"))).toBe(true);
  });

  it("a dry-run bundles every Worker and prints the plan, asking nothing of the account", async () => {
    account();
    writeIds(join(dir, "ids"), "staging", { d1: { "catalog-staging": CATALOG_ID } });
    expect(await deploy(true)).toMatchObject({ ok: true, created: [] });
    expect(calls()).toHaveLength(10);
    expect(calls().every((c) => c[0] === "deploy" && c.includes("--dry-run"))).toBe(true);
    expect(readFileSync(join(dir, "out/catalog/wrangler.jsonc"), "utf8")).toContain(`"database_id": "${CATALOG_ID}"`);
    const printed = say.join("\n");
    expect(printed).toMatch(new RegExp(`catalog-staging +${CATALOG_ID}`));
    for (const db of [...ORDER_SHARDS, ...PAYMENT_SHARDS]) expect(printed).toMatch(new RegExp(`\n  ${db}-staging +not deployed yet`));
    expect(printed).toMatch(/Deploy order: catalog-staging → durable-objects-staging → .* → storefront-staging → admin-staging/);
    expect(printed).toContain("payments-staging: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET");
  });
});
