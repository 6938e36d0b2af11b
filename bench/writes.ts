import { spawn } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { countOrderShards } from "../scripts/order-shards.ts";
import type { Platform } from "../scripts/platform.ts";
import { WORKERS } from "../scripts/workers.ts";
import type { Request } from "./load-spec.ts";

// Durable writes one checkout costs, per storage. strace counts what reaches the disk: every fsync/fdatasync the
// workerd process makes, each with the path of the file it syncs (`-y`), so nothing inside the Workers is
// instrumented or changed, and every storage (D1 databases, Durable Object classes, Miniflare's own stand-ins) is
// counted the same way. A SQLite commit is what costs a sync, so syncs per storage say how many durable write
// transactions it made, counted as syncs, their physical cost: some cost more than one (see writesReport).

/** How long storage must make no sync to count as settled: an object or database closes after ~10 s idle. */
const QUIET_MS = 11_000;
/** startPlatform's cron ticker fires every minute; a tick's own syncs, and its databases closing, take ~11 s. */
const CRON_MS = 60_000;
const CRON_SETTLE_MS = 12_000;
/** A window (the checkouts, what follows from them, QUIET_MS) longer than this would likely take in a cron tick. */
const WINDOW_BUDGET_MS = 35_000;

export type Writes =
  | {
      ok: true;
      checkouts: number;
      /** Syncs per checkout by storage, in the report's order; `total` is their sum. */
      rows: { storage: string; perCheckout: number }[];
      total: number;
      seconds: number;
      notes: string[];
    }
  /** `unavailable`: strace is missing or cannot attach here (the table says n/a); otherwise the count failed. */
  | { ok: false; reason: string; unavailable: boolean };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The D1 database file Miniflare keeps for a database id: its D1 objects are named after the id (idFromName). */
function d1FileName(databaseId: string): string {
  // workerd's idFromName: HMAC-SHA256 of the name under SHA-256(uniqueKey), 16 bytes, then 16 bytes of that's HMAC.
  const key = createHash("sha256").update("miniflare-D1DatabaseObject").digest();
  const name = createHmac("sha256", key).update(databaseId).digest().subarray(0, 16);
  const mac = createHmac("sha256", key).update(name).digest().subarray(0, 16);
  return Buffer.concat([name, mac]).toString("hex");
}

/** Every D1 database of the platform by its file name (without `.sqlite`): its database_name. */
function d1Files(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const spec of WORKERS) {
    for (const db of unstable_readConfig({ config: join(root, spec.config) }).d1_databases) {
      if (db.database_id) files.set(d1FileName(db.database_id), db.database_name ?? db.binding);
    }
  }
  return files;
}

/** The workerd process Miniflare started: a descendant of this process (the newest, if there are several). */
function findWorkerd(): number | null {
  const children = (pid: number): number[] => {
    try {
      return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
        readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(/\s+/).filter(Boolean).map(Number),
      );
    } catch {
      return [];
    }
  };
  const found: { pid: number; started: number }[] = [];
  const queue = [process.pid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children(pid)) {
      queue.push(child);
      try {
        if (readFileSync(`/proc/${child}/comm`, "utf8").trim() !== "workerd") continue;
        // Field 22 of /proc/<pid>/stat, counted after the command's closing parenthesis: the start time.
        const stat = readFileSync(`/proc/${child}/stat`, "utf8");
        found.push({ pid: child, started: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]) });
      } catch {}
    }
  }
  return found.sort((a, b) => b.started - a.started)[0]?.pid ?? null;
}

const tracerOf = (pid: number): number => Number(/^TracerPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

type Trace = { file: string; stop: () => Promise<void> };

/** Attaches strace to `pid`, or says why it could not. */
async function attach(pid: number, dir: string): Promise<Trace | string> {
  const file = join(dir, "syncs.txt");
  const strace = spawn("strace", ["-f", "-p", String(pid), "-e", "trace=fsync,fdatasync", "-y", "-qq", "-o", file], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  strace.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exited = false;
  let missing = false;
  const exit = new Promise<void>((resolve) => {
    strace.on("error", (err: NodeJS.ErrnoException) => {
      missing = err.code === "ENOENT";
      exited = true;
      resolve();
    });
    strace.on("exit", () => {
      exited = true;
      resolve();
    });
  });
  // If the bench dies with strace attached, it goes too (by its own pid).
  const kill = () => strace.kill("SIGKILL");
  process.once("exit", kill);
  const stop = async () => {
    process.off("exit", kill);
    if (!exited) strace.kill("SIGTERM");
    await Promise.race([exit, sleep(5_000)]);
    if (!exited) strace.kill("SIGKILL");
    await Promise.race([exit, sleep(5_000)]);
  };
  const deadline = Date.now() + 10_000;
  while (!exited && Date.now() < deadline) {
    try {
      if (tracerOf(pid) === strace.pid) return { file, stop };
    } catch {}
    await sleep(50);
  }
  await stop();
  if (missing) return "strace not available";
  return `strace not available: could not attach to workerd (${stderr.trim().split("\n").at(-1) || "no tracer after 10 s"})`;
}

const size = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** Waits until the trace has grown by nothing for `quietMs` (or `maxMs` have passed); answers whether it was quiet. */
async function quiet(file: string, quietMs: number, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let last = size(file);
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = size(file);
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return true;
  }
  return false;
}

/**
 * What the syncs of a trace were for, by storage. Miniflare keeps D1 under `d1/miniflare-D1DatabaseObject/<id>.sqlite*`,
 * Durable Objects under `do/<script>-<Class>/` (each object a database, plus the class's `metadata.sqlite` for
 * alarms) and its own stand-ins under `<plugin>/miniflare-<Class>/`. A directory is synced to make a file made in it
 * durable, right after that file's first sync: a D1 directory's sync is charged to that file's database.
 */
function countSyncs(text: string, d1: Map<string, string>): Map<string, number> {
  const counts = new Map<string, number>();
  const lastInDir = new Map<string, string>(); // `${thread} ${directory}` → the storage of the last file synced there
  for (const line of text.split("\n")) {
    const m = /^(?:(\d+)\s+)?(?:fsync|fdatasync)\(\d+<([^>]*)>/.exec(line);
    if (!m) continue; // `<... resumed>` halves: the call was counted where it started
    const thread = m[1] ?? "";
    const path = (m[2] ?? "").replace(/ \(deleted\)$/, "");
    const storage = storageOf(path, d1) ?? lastInDir.get(`${thread} ${path}`) ?? "d1: (directory)";
    lastInDir.set(`${thread} ${dirname(path)}`, storage);
    counts.set(storage, (counts.get(storage) ?? 0) + 1);
  }
  return counts;
}

/** `d1: <name>`, `do: <Class>`, `miniflare: <plugin>` or `file: other`; null for the D1 directory (charged by context). */
function storageOf(path: string, d1: Map<string, string>): string | null {
  const database = /\/d1\/miniflare-D1DatabaseObject\/([^/.]+)\.sqlite[^/]*$/.exec(path);
  if (database) return `d1: ${d1.get(database[1] ?? "") ?? `unknown ${database[1]?.slice(0, 8)}`}`;
  if (/\/d1\/miniflare-D1DatabaseObject$/.test(path)) return null;
  const object = /\/do\/[^/]+-([^/-]+)(?:\/[^/]*)?$/.exec(path);
  if (object) return `do: ${object[1]}`;
  const plugin = /\/([^/]+)\/miniflare-[^/]+(?:\/|$)/.exec(path);
  if (plugin) return `miniflare: ${plugin[1]}`;
  return "file: other";
}

const MINIFLARE_NAMES: Record<string, string> = { ratelimit: "rate limits", r2: "R2", kv: "KV", cache: "cache", queues: "queues" };

/** The report's rows, in order: the storages the issue names always, the others grouped, when they synced. */
function rows(counts: Map<string, number>, n: number): { storage: string; perCheckout: number }[] {
  const take = (key: string): number => {
    const c = counts.get(key) ?? 0;
    counts.delete(key);
    return c;
  };
  const group = (prefix: string, label: (names: string[]) => string): { storage: string; syncs: number } | null => {
    const keys = [...counts.keys()].filter((k) => k.startsWith(prefix)).sort();
    if (keys.length === 0) return null;
    const names = keys.map((k) => k.slice(prefix.length));
    return { storage: label(names), syncs: keys.reduce((s, k) => s + take(k), 0) };
  };
  // Every shard of a sharded database (orders, orders-1, …) together: what a checkout costs, wherever it lands.
  const sharded = (name: string): number => take(`d1: ${name}`) + (group(`d1: ${name}-`, () => "")?.syncs ?? 0);
  const fixed = [
    { storage: "orders D1", syncs: sharded("orders") },
    { storage: "payments D1", syncs: sharded("payments") },
    { storage: "Checkout objects", syncs: take("do: Checkout") },
    { storage: "Cart objects", syncs: take("do: Cart") },
    { storage: "Inventory objects", syncs: take("do: Inventory") },
  ];
  const others = [
    group("d1: ", (names) => `other D1 (${names.join(", ")})`),
    group("do: ", (names) => `other objects (${names.join(", ")})`) ?? { storage: "other objects", syncs: 0 },
    group("miniflare: ", (names) => `Miniflare's local stand-ins (${names.map((p) => MINIFLARE_NAMES[p] ?? p).join(", ")})`),
    group("file: ", () => "other files"),
  ];
  return [...fixed, ...others]
    .filter((r): r is { storage: string; syncs: number } => r !== null)
    .map((r) => ({ storage: r.storage, perCheckout: r.syncs / n }));
}

/**
 * Untimed: strace on the platform's workerd while `checkouts` (prepared checkout requests) are sent one after
 * another, each to answer 201, until storage has settled (the outbox drained, the queue consumers done, every
 * database they opened closed again). `cronsSince` is when startPlatform returned (its ticker fires every minute
 * from then): the count waits for a window no tick falls in.
 */
export async function writesPerCheckout(options: {
  platform: Platform;
  root: string;
  checkouts: Request[];
  cronsSince?: number;
}): Promise<Writes> {
  const { platform, checkouts } = options;
  const n = checkouts.length;
  const workerd = findWorkerd();
  if (workerd === null) return { ok: false, reason: "no workerd process among this process's descendants", unavailable: false };
  const dir = mkdtempSync(join(tmpdir(), "edge-bench-writes-"));
  try {
    const trace = await attach(workerd, dir);
    if (typeof trace === "string") return { ok: false, reason: trace, unavailable: true };
    const notes: string[] = [];
    let started = 0;
    let ended = 0;
    let from = 0;
    try {
      // What ran before (and the objects it left open) settles first, then the window starts clear of a cron tick.
      if (!(await quiet(trace.file, QUIET_MS, 60_000))) notes.push("storage was still busy after a minute when the count started");
      if (options.cronsSince !== undefined) {
        const untilTick = CRON_MS - ((Date.now() - options.cronsSince) % CRON_MS);
        if (untilTick < WINDOW_BUDGET_MS) {
          await sleep(untilTick + CRON_SETTLE_MS);
          await quiet(trace.file, 2_000, 15_000);
        }
      }
      from = size(trace.file);
      started = Date.now();
      for (const [i, request] of checkouts.entries()) {
        const res = await fetch(new URL(request.path, platform.url), {
          method: request.method ?? "GET",
          ...(request.headers ? { headers: request.headers } : {}),
          ...(request.body === undefined ? {} : { body: request.body }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = await res.text();
        if (res.status !== 201) {
          return { ok: false, reason: `checkout ${i + 1} of ${n} answered ${res.status}: ${body.slice(0, 200)}`, unavailable: false };
        }
      }
      const settled = await quiet(trace.file, QUIET_MS, 90_000);
      if (!settled) notes.push("storage had not settled 90 s after the last checkout");
      ended = Date.now() - (settled ? QUIET_MS : 0);
    } finally {
      await trace.stop();
    }
    const since = options.cronsSince;
    if (since !== undefined) {
      // A tick's syncs follow it for CRON_SETTLE_MS: one at most that long before the count started is in it too.
      const ticks = (t: number) => Math.floor((t - since) / CRON_MS);
      if (ticks(ended) !== ticks(started - CRON_SETTLE_MS)) notes.push("a cron tick fell inside the count (its syncs are in it)");
    }
    const outbox = await countOrderShards(platform.miniflare, "SELECT COUNT(*) AS n FROM outbox");
    if (outbox > 0) notes.push(`the order outbox still held ${outbox} events when the count stopped`);
    const text = readFileSync(trace.file).subarray(from).toString("utf8");
    const table = rows(countSyncs(text, d1Files(options.root)), n);
    return {
      ok: true,
      checkouts: n,
      rows: table,
      total: table.reduce((s, r) => s + r.perCheckout, 0),
      seconds: (ended - started) / 1000,
      notes,
    };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err), unavailable: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const num = (n: number): string => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The "Writes per checkout" section of bench/RESULTS.md. */
export function writesReport(writes: Writes | null, checkouts: number): string[] {
  const head = [
    "## Writes per checkout",
    "",
    `${checkouts} checkouts (a one-line guest cart each, test card), one after another and untimed, on the demo shop once the checkout runs had settled. \`strace -f -e trace=fsync,fdatasync -y\` on the workerd process counted every sync by the file it synced (no instrumentation inside the Workers), from the first checkout until storage had made no sync for ${QUIET_MS / 1000} s: the outbox drained, the queue consumers downstream done, and every database the checkouts opened closed again (a Durable Object or D1 database closes after ~10 s idle; the SKUs' Inventory objects stay open, as a hot SKU's would, because the bench holds stubs to them from restocking). The count starts where no once-a-minute cron tick falls inside it.`,
    "",
    "A SQLite commit is what costs a sync, so syncs per checkout count the durable write transactions each storage made, as their physical cost, which is more than one sync for some: a commit in WAL mode syncs the WAL once; a new database (each checkout's Checkout object is one) makes its first commit with a rollback journal (the journal twice, its directory, the file: 4 syncs), then switches to WAL; the first commit into a new WAL (the database made, or opened again after idling) also syncs the WAL's header and its directory (3 syncs); and a database closed after ~10 s idle checkpoints (the WAL, then the file: 2). Locally every D1 query or batch commits, and syncs once, even a read-only one; a Durable Object's read-only request syncs nothing. A class's alarms live in its `metadata.sqlite` and count with the class.",
    "",
    "| storage | syncs per checkout |",
    "|---|---:|",
  ];
  if (writes === null) return [...head, "| all | FAILED: not measured |", ""];
  if (!writes.ok) return [...head, `| all | ${writes.unavailable ? `n/a (${writes.reason})` : `FAILED: ${writes.reason}`} |`, ""];
  return [
    ...head,
    ...writes.rows.map((r) => `| ${r.storage} | ${num(r.perCheckout)} |`),
    `| total | ${num(writes.total)} |`,
    "",
    `Counted over ${num(writes.seconds)} s.${writes.notes.map((note) => ` ⚠ ${note}.`).join("")}`,
    "",
  ];
}

/** The console line. */
export function writesLine(writes: Writes): string {
  if (!writes.ok) return `writes per checkout: ${writes.unavailable ? `n/a (${writes.reason})` : `FAILED: ${writes.reason}`}`;
  const parts = writes.rows.filter((r) => r.perCheckout > 0).map((r) => `${r.storage.replace(/ \(.*\)$/, "")} ${num(r.perCheckout)}`);
  return `writes per checkout: ${num(writes.total)} syncs (${parts.join(", ")})${writes.notes.length > 0 ? ` ⚠ ${writes.notes.join("; ")}` : ""}`;
}
