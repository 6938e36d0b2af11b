import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type ApiName,
  anyRequest,
  type FuzzContext,
  type FuzzRequest,
  Harvest,
  type OpenApiDocument,
  type Operation,
  operations,
} from "./openapi-fuzz.ts";
import { boot, freshStateDir } from "./platform-harness.ts";

/**
 * Fuzzes both APIs from their own OpenAPI documents (fetched from the running platform, so new routes are
 * covered without touching this file): well-formed requests filled from the schemas and from real ids,
 * mixed with hostile ones. Properties: no status >= 500, and every error is problem+json whose `status`
 * matches. Every failure is collected and reported at the end, with what was sent.
 *
 * FUZZ_SEED, FUZZ_RUNS and FUZZ_BUDGET_MS override the seed, the number of requests and the time budget.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_500);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 60_000);
const CONCURRENCY = 8;
const DEMO_PASSWORD = "demo-shop-2026";
const DEMO_ACCOUNTS = ["shopper@demo.edge-commerce.dev", "owner@northwind.demo.edge-commerce.dev", "admin@demo.edge-commerce.dev"];

type Outcome = { status: number; type: string; text: string } | { error: string };
type Failure = { request: FuzzRequest; outcome: Outcome; problem: string };

const state = freshStateDir();
let platform: Awaited<ReturnType<typeof boot>>;
const failures: Failure[] = [];
const statuses = new Map<string, number[]>();
let unsendable = 0;

beforeAll(async () => {
  platform = await boot(state.dir, { demoSize: 60 });
});
afterAll(async () => {
  await platform?.dispose();
  state.remove();
});

const randomIp = (): string =>
  `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
const baseOf = (api: ApiName): URL => (api === "shop" ? platform.url : platform.adminUrl);

/** Sends one request and checks the answer; a failure is recorded, never thrown. */
async function exercise(request: FuzzRequest): Promise<Outcome> {
  let headers: Headers;
  let url: URL;
  try {
    headers = new Headers(request.headers);
    url = new URL(`${baseOf(request.api).origin}${request.path}`);
  } catch {
    unsendable++; // fetch itself would refuse it: nothing would reach the server
    return { error: "unsendable" };
  }
  let outcome: Outcome;
  try {
    const res = await fetch(url, {
      method: request.method,
      headers,
      body: request.body?.bytes,
      redirect: "manual",
      signal: AbortSignal.timeout(20_000),
    });
    outcome = { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    outcome = { error: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
  const problem = violation(request.method, outcome, shopPage(request.api, url, headers));
  if (problem !== undefined) failures.push({ request, outcome, problem });
  if ("status" in outcome) statuses.set(request.origin, [...(statuses.get(request.origin) ?? []), outcome.status]);
  return outcome;
}

/**
 * A browser asking the shop for a page that is not an API path: its 404 is the friendly HTML page (issue 13), and
 * that is the only error allowed to be anything but problem+json.
 */
function shopPage(api: string, url: URL, headers: Headers): boolean {
  return (
    api === "shop" &&
    (headers.get("accept") ?? "").includes("text/html") &&
    !/^\/(v1|docs|health|healthz|dev|\.well-known)(\/|$)/.test(url.pathname)
  );
}

/** What is wrong with an answer, if anything. */
function violation(method: string, outcome: Outcome, shopPageAsked = false): string | undefined {
  if ("error" in outcome) return "no response";
  const { status, type, text } = outcome;
  if (status >= 500) return `status ${status}`;
  if (status < 400) return undefined;
  if (shopPageAsked && status === 404 && type.startsWith("text/html"))
    return text.includes("find that page") ? undefined : "an HTML 404 that is not the shop's page";
  if (!type.startsWith("application/problem+json")) return `error with content-type ${type || "(none)"}`;
  if (method === "HEAD") return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "problem+json body is not JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "problem+json body is not an object";
  const members = body as Record<string, unknown>;
  if (typeof members.type !== "string" || typeof members.title !== "string") return "problem+json lacks type or title";
  if (members.status !== status) return `problem+json status ${String(members.status)} != HTTP ${status}`;
  return undefined;
}

/** A plain JSON call for setting up (signing in, harvesting); still checked like any fuzzed request. */
async function call(
  api: ApiName,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { "cf-connecting-ip": randomIp() };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const bytes = body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(body));
  const outcome = await exercise({
    api,
    origin: `${method} ${path} (setup)`,
    method,
    path,
    headers,
    auth: token === undefined ? "none" : "valid",
    body: bytes === undefined ? undefined : { bytes, note: "setup" },
  });
  if ("error" in outcome) return { status: 0, json: null };
  let json: unknown = null;
  try {
    json = JSON.parse(outcome.text);
  } catch {}
  return { status: outcome.status, json };
}

const field = (json: unknown, key: string): string | undefined => {
  const value = typeof json === "object" && json !== null ? (json as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" ? value : undefined;
};

/** Signs in the demo accounts and registers throwaway ones (the only tokens a DELETE may carry). */
async function signIn(harvest: Harvest): Promise<Pick<FuzzContext, "accounts" | "throwaway">> {
  const accounts: Account[] = [];
  for (const email of DEMO_ACCOUNTS) {
    const { status, json } = await call("shop", "POST", "/v1/auth/login", { email, password: DEMO_PASSWORD });
    const token = field(json, "accessToken");
    if (status !== 200 || token === undefined) throw new Error(`cannot sign in as ${email}: ${status} ${JSON.stringify(json)}`);
    harvest.add("/v1/auth/login", json);
    accounts.push({ label: email.split("@")[0] ?? email, token });
  }
  const throwaway: Account[] = [];
  for (let i = 0; i < 3; i++) {
    const id = crypto.randomUUID();
    const body = { email: `fuzz-${id}@example.com`, password: `fuzz ${id} Secret!`, name: `Fuzz ${i}` };
    const { status, json } = await call("shop", "POST", "/v1/auth/register", body);
    const token = field(json, "accessToken");
    if (status !== 201 || token === undefined) throw new Error(`cannot register a throwaway account: ${status} ${JSON.stringify(json)}`);
    throwaway.push({ label: `throwaway ${i}`, token });
  }
  return { accounts, throwaway };
}

/**
 * Calls the documented operations that need no input (then GETs whose path parameters it has values for)
 * to learn real slugs, SKUs, cart ids and tokens for the generators.
 */
async function harvestInputs(ops: Operation[], harvest: Harvest, accounts: Account[]): Promise<void> {
  const tokensFor = (op: Operation) => (op.secured ? accounts.map((a) => a.token) : [undefined, undefined]);
  for (const op of ops) {
    if (!["GET", "POST"].includes(op.method) || op.body !== undefined || op.parameters.some((p) => p.required === true)) continue;
    for (const token of tokensFor(op)) {
      const { status, json } = await call(op.api, op.method, op.path, undefined, token);
      if (status >= 200 && status < 300) harvest.add(op.path, json);
    }
  }
  for (const op of ops) {
    const params = op.parameters.filter((p) => p.required === true);
    if (op.method !== "GET" || params.some((p) => p.in !== "path")) continue;
    for (let i = 0; i < 3; i++) {
      let path = op.path;
      for (const p of params) {
        const known = harvest.lookup([`${op.path.slice(0, op.path.indexOf(`{${p.name}}`) - 1)}:${p.name}`, p.name]);
        const value = known[i % Math.max(1, known.length)];
        if (value !== undefined) path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
      }
      if (path.includes("{")) break;
      const { status, json } = await call(op.api, op.method, path, undefined, accounts[i % accounts.length]?.token);
      if (status >= 200 && status < 300) harvest.add(op.path, json);
    }
  }
}

/** Runs requests `concurrency` at a time until all are sent or the budget is spent; returns how many were sent. */
async function runAll(requests: FuzzRequest[], budgetMs: number, concurrency: number): Promise<number> {
  const deadline = Date.now() + budgetMs;
  let next = 0;
  const worker = async () => {
    while (next < requests.length && Date.now() < deadline) {
      const request = requests[next++];
      if (request !== undefined) await exercise(request);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next;
}

function histogram(byOrigin: Map<string, number[]>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const status of [...byOrigin.values()].flat()) counts.set(status, (counts.get(status) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => a - b));
}

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

function describeFailure({ request, outcome, problem }: Failure): string {
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== "authorization" && name !== "cf-connecting-ip")
    .map(([name, value]) => `${name}: ${clip(value, 80)}`);
  const sentBody =
    request.body === undefined
      ? ""
      : `\n    body (${request.body.note}, ${request.body.bytes.length} B): ${clip(new TextDecoder().decode(request.body.bytes), 160)}`;
  const answer = "error" in outcome ? outcome.error : `${outcome.status} ${outcome.type}\n    response: ${clip(outcome.text, 300)}`;
  return [
    `  ${request.method} ${request.api === "shop" ? "" : "[admin] "}${clip(request.path, 200)}   (${request.origin})`,
    `    problem: ${problem}`,
    `    auth: ${request.auth}${headers.length > 0 ? `; ${headers.join("; ")}` : ""}${sentBody}`,
    `    got: ${answer}`,
  ].join("\n");
}

/** Failures grouped by operation and kind (ids, tokens and request ids stripped), a few examples each. */
function report(all: Failure[]): string {
  const groups = new Map<string, Failure[]>();
  for (const f of all) {
    const key = `${f.request.method} ${f.request.origin} | ${f.problem}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const sections = [...groups.entries()].map(
    ([key, list]) => `${key} — ${list.length}×\n${list.slice(0, 3).map(describeFailure).join("\n")}`,
  );
  return `${all.length} failing responses in ${groups.size} groups (seed ${SEED}):\n\n${sections.join("\n\n")}`;
}

describe("fuzzing both APIs from their OpenAPI documents", () => {
  it("never answers 5xx, and answers every error with problem+json", async () => {
    const started = Date.now();
    const shopDoc = (await (await fetch(new URL("/v1/openapi.json", platform.url))).json()) as OpenApiDocument;
    const adminDoc = (await (await fetch(new URL("/admin/openapi.json", platform.adminUrl))).json()) as OpenApiDocument;
    const ops = [...operations("shop", shopDoc), ...operations("admin", adminDoc)];
    expect(ops.length).toBeGreaterThan(10);

    const harvest = new Harvest();
    const { accounts, throwaway } = await signIn(harvest);
    await harvestInputs(ops, harvest, accounts);
    const ctx: FuzzContext = { harvest, accounts, throwaway };

    const requests = fc.sample(anyRequest(ctx, ops), { seed: SEED, numRuns: RUNS });
    const generated = Date.now();
    const sent = await runAll(requests, BUDGET_MS, CONCURRENCY);
    const done = Date.now();

    const never2xx = ops.map((op) => `${op.method} ${op.path}`).filter((origin) => !(statuses.get(origin) ?? []).some((s) => s < 300));
    console.log(
      [
        `fuzz: seed ${SEED}, ${ops.length} operations, ${sent}/${requests.length} requests sent in ${done - generated} ms (${unsendable} unsendable)`,
        `(setup ${generated - started} ms), ${failures.length} failures`,
        `statuses: ${[...histogram(statuses)].map(([status, n]) => `${status}×${n}`).join(" ")}`,
        never2xx.length > 0
          ? `operations that never answered 2xx/3xx: ${never2xx.join(", ")}`
          : "every operation answered 2xx/3xx at least once",
      ].join("\n"),
    );
    if (failures.length > 0) console.log(report(failures));
    expect(failures.length, report(failures)).toBe(0);
  }, 150_000);
});
