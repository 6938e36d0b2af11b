import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// Local secrets are made on first start and kept in git-ignored .dev.vars files beside each config;
// production secrets come from `wrangler secret put`.
const SECRETS: Record<string, string[]> = {
  "workers/catalog": ["CURSOR_SECRET"],
};

export function ensureDevVars(root: string): void {
  for (const [dir, names] of Object.entries(SECRETS)) {
    const file = join(root, dir, ".dev.vars");
    const current = existsSync(file) ? readFileSync(file, "utf8") : "";
    const missing = names.filter((n) => !new RegExp(`^${n}=`, "m").test(current));
    if (missing.length === 0) continue;
    const lines = missing.map((n) => `${n}=${randomBytes(32).toString("base64url")}`);
    writeFileSync(file, `${current}${current && !current.endsWith("\n") ? "\n" : ""}${lines.join("\n")}\n`);
  }
}
