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
