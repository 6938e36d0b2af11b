import { spawn } from "node:child_process";
import { resolve } from "node:path";

// Every wrangler call of a deploy goes through here, so a test can put a fake wrangler in its place (any script
// node can run that answers like wrangler: scripts/test/fixtures/fake-wrangler.ts).

export type WranglerResult = { status: number; stdout: string; stderr: string };
export type Wrangler = (args: readonly string[]) => Promise<WranglerResult>;

export const REAL_WRANGLER = "node_modules/wrangler/bin/wrangler.js";

/**
 * Runs `script` (wrangler's own bin by default) on this same Node, from `root`, and collects what it prints. No
 * metrics, no colours (the lists are parsed), and CI=true: wrangler never stops to ask (a remote migration's
 * confirmation, a deploy's), it goes ahead or fails.
 */
export function wranglerRunner(
  root: string,
  options: { script?: string | undefined; accountId?: string | undefined; env?: Record<string, string> } = {},
): Wrangler {
  const script = resolve(root, options.script ?? REAL_WRANGLER);
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CI: "true",
    FORCE_COLOR: "0",
    ...(options.accountId === undefined ? {} : { CLOUDFLARE_ACCOUNT_ID: options.accountId }),
    ...options.env,
  };
  return (args) =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, [script, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      child.on("error", fail);
      child.on("close", (code) => done({ status: code ?? 1, stdout, stderr }));
    });
}

/** The result's output, or an error that says which call failed and what wrangler said. */
export async function wranglerOk(wrangler: Wrangler, args: readonly string[]): Promise<string> {
  const run = await wrangler(args);
  if (run.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed (${run.status}):\n${`${run.stdout}\n${run.stderr}`.trim()}`);
  return run.stdout;
}
