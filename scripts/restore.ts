import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { restorePlatform } from "./restore-run.ts";

// `npm run restore -- --from <time|latest> [--state DIR] [--wipe]`: rebuilds a LOCAL platform (stopped) from the
// backups in its state folder. Exit 0: restored and verified; 1: no backup, or a check failed; 2: refused.
const Args = z.object({
  from: z.string({ error: "--from is required: a backup's time (e.g. 2026-11-20T03:30:00.000Z) or 'latest'" }).transform((v, ctx) => {
    const at = v === "latest" ? new Date() : new Date(v);
    if (Number.isNaN(at.getTime())) ctx.addIssue({ code: "custom", message: `--from ${v}: not a time (ISO 8601) nor 'latest'` });
    return at;
  }),
  state: z.string().min(1),
  wipe: z.boolean(),
});

const { values } = parseArgs({
  options: {
    from: { type: "string" },
    state: { type: "string", default: process.env.EDGE_STATE_DIR ?? ".wrangler/state" },
    wipe: { type: "boolean", default: false },
  },
});
const parsed = Args.safeParse(values);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(issue.message);
  process.exit(1);
}
const { from, state, wipe } = parsed.data;
console.log(`restoring ${resolve(state)} from the newest backups taken at or before ${from.toISOString()}${wipe ? " (--wipe)" : ""}`);
const outcome = await restorePlatform({ root: process.cwd(), stateDir: resolve(state), from, wipe, say: (line) => console.log(line) });
console.log(
  outcome.code === 0 ? "restore done: every table and object verified against the backup's manifests" : "restore NOT done (see above)",
);
process.exit(outcome.code);
