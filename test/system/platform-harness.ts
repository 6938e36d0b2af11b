import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Platform, type PlatformOptions, startPlatform } from "../../scripts/platform.ts";

/** A fresh state folder per suite, removed afterwards; the platform boots exactly as `npm start` does. */
export function freshStateDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "edge-commerce-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function boot(stateDir: string, options: PlatformOptions = {}): Promise<Platform & { messages: string[] }> {
  const messages: string[] = [];
  const platform = await startPlatform({ stateDir, port: 0, adminPort: 0, logLevel: "warn", say: (m) => messages.push(m), ...options });
  return { ...platform, messages };
}

/** A Worker's JSON log line, as logger.ts writes it (other console output is kept as `{ msg }`). */
export type LogLine = Record<string, unknown> & { service?: string; msg?: string; requestId?: string };

const asLogLine = (message: string): LogLine => {
  try {
    const parsed: unknown = JSON.parse(message);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? { ...parsed } : { msg: message };
  } catch {
    return { msg: message };
  }
};

/** Boots the platform with every Worker's console lines kept (not printed), parsed, for a test to search. */
export async function bootWithLogs(
  stateDir: string,
  options: PlatformOptions = {},
): Promise<Platform & { messages: string[]; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const platform = await boot(stateDir, { ...options, onLog: (log) => logs.push(asLogLine(log.message)) });
  return { ...platform, logs };
}
