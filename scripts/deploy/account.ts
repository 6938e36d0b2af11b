import { stripVTControlCharacters } from "node:util";
import { z } from "zod";
import { type Wrangler, wranglerOk } from "./wrangler-runner.ts";

// What the Cloudflare account holds, read through wrangler's own commands (the shapes are wrangler 4's: `d1 list
// --json` prints the API's objects, `r2 bucket list` labelled values, `queues list` a table, `secret list` JSON).

const D1List = z.array(z.looseObject({ uuid: z.string(), name: z.string() }));
const SecretList = z.array(z.looseObject({ name: z.string() }));

/** The JSON list a command printed, after whatever banner wrangler put before it. */
function jsonList(stdout: string, command: string): unknown {
  const start = stdout.search(/^\s*\[/m);
  if (start < 0) throw new Error(`wrangler ${command} printed no list:\n${stdout}`);
  return JSON.parse(stdout.slice(start));
}

/** `wrangler d1 list --json`: name → id. */
export function parseD1List(stdout: string): Map<string, string> {
  return new Map(D1List.parse(jsonList(stdout, "d1 list --json")).map((db) => [db.name, db.uuid]));
}

/** `wrangler r2 bucket list`: a `name:` and a `creation_date:` line per bucket. */
export function parseR2List(stdout: string): Set<string> {
  const names = stripVTControlCharacters(stdout)
    .split("\n")
    .map((line) => /^name:\s+(\S+)\s*$/.exec(line.trim())?.[1]);
  return new Set(names.filter((name) => name !== undefined));
}

/** `wrangler queues list`: a table with the columns id, name, …; the names of one page. */
export function parseQueuesTable(stdout: string): string[] {
  const rows = stripVTControlCharacters(stdout)
    .split("\n")
    .filter((line) => line.startsWith("│"))
    .map((line) =>
      line
        .split("│")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const nameColumn = rows[0]?.indexOf("name") ?? -1;
  if (nameColumn < 0) return [];
  return rows.slice(1).flatMap((cells) => (cells[nameColumn] ? [cells[nameColumn]] : []));
}

/** `wrangler secret list --format json`: the names of the Worker's secrets (never their values). */
export function parseSecretList(stdout: string): Set<string> {
  return new Set(SecretList.parse(jsonList(stdout, "secret list")).map((s) => s.name));
}

export type AccountResources = { d1: Map<string, string>; buckets: Set<string>; queues: Set<string> };

export async function listD1(wrangler: Wrangler): Promise<Map<string, string>> {
  return parseD1List(await wranglerOk(wrangler, ["d1", "list", "--json"]));
}

export async function readAccount(wrangler: Wrangler): Promise<AccountResources> {
  const queues = new Set<string>();
  // The API answers queues a page at a time; an empty page is the end.
  for (let page = 1; ; page++) {
    const names = parseQueuesTable(await wranglerOk(wrangler, ["queues", "list", "--page", String(page)]));
    if (names.length === 0 || names.every((name) => queues.has(name))) break;
    for (const name of names) queues.add(name);
  }
  return { d1: await listD1(wrangler), buckets: parseR2List(await wranglerOk(wrangler, ["r2", "bucket", "list"])), queues };
}

/**
 * The secrets a Worker has. A Worker that was never deployed has none: wrangler says it is "not found", which here
 * means every required secret is missing (`wrangler secret put` creates the Worker to hold them).
 */
export async function secretsOf(wrangler: Wrangler, script: string, config: string): Promise<Set<string>> {
  const run = await wrangler(["secret", "list", "--name", script, "--format", "json", "-c", config]);
  if (run.status === 0) return parseSecretList(run.stdout);
  if (/not found/i.test(`${run.stdout}\n${run.stderr}`)) return new Set();
  throw new Error(`wrangler secret list --name ${script} failed (${run.status}):\n${`${run.stdout}\n${run.stderr}`.trim()}`);
}
