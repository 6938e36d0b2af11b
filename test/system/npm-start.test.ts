import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, expect, it } from "vitest";
import { freshStateDir } from "./platform-harness.ts";

const state = freshStateDir();
let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  state.remove();
});

function waitForLine(proc: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms; output:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`exited with ${code} before ${pattern}; output:\n${seen}`)));
  });
}

/** A port nothing listens on right now (the OS picks it; we let go of it at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

it("`npm start` answers 503 (never a 500, never a half-loaded shop) until ready, serves the shop, then stops cleanly on SIGTERM", async () => {
  const [port, adminPort] = [await freePort(), await freePort()];
  // The real command a newcomer types, on its own state folder and fixed ports, polled from its first moment.
  child = spawn(
    process.execPath,
    ["scripts/start.ts", "--state", state.dir, "--port", String(port), "--admin-port", String(adminPort), "--demo-size", "50"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  const origin = `http://127.0.0.1:${port}`;
  const adminOrigin = `http://127.0.0.1:${adminPort}`;
  const seen: string[] = [];
  let ready = false;
  const poll = (async () => {
    while (!ready) {
      for (const url of [`${origin}/v1/products?limit=100`, `${adminOrigin}/admin/v1/products`]) {
        const res = await fetch(url).catch(() => null);
        if (res === null) continue; // not listening yet: a refused connection is not an answer
        const body = await res.text();
        if (res.status === 200) {
          // Open for business means the whole demo shop, not part of it.
          expect((JSON.parse(body) as { items: unknown[] }).items).toHaveLength(50);
        }
        seen.push(`${res.status} ${res.status === 503 ? res.headers.get("retry-after") : ""}`.trim());
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await waitForLine(child, /ready in/, 90_000);
  ready = true;
  await poll;
  expect(seen.length).toBeGreaterThan(10);
  expect(seen.filter((s) => s !== "503 1" && s !== "200" && s !== "401")).toEqual([]);
  expect(seen).toContain("503 1");

  const res = await fetch(`${origin}/v1/products?limit=100`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(50);
  expect((await fetch(`${adminOrigin}/admin/v1/products`)).status).toBe(401);

  const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  await expect(fetch(`${origin}/v1/categories`)).rejects.toThrow();
});
