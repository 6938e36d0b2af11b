import { type ChildProcess, spawn } from "node:child_process";
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

it("`npm start` serves the shop, then stops cleanly on SIGTERM", async () => {
  // The real command a newcomer types, on its own state folder and a free port.
  child = spawn(process.execPath, ["scripts/start.ts", "--state", state.dir, "--port", "0", "--admin-port", "0", "--demo-size", "50"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const [, origin] = await waitForLine(child, /storefront: (http:\/\/127\.0\.0\.1:\d+)/, 90_000);
  await waitForLine(child, /ready in/, 10_000).catch(() => undefined);
  const res = await fetch(`${origin}/v1/products?limit=100`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(50);

  const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  await expect(fetch(`${origin}/v1/categories`)).rejects.toThrow();
});
