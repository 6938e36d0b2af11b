import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { platformBackup } from "./backup-run.ts";
import { startPlatform } from "./platform.ts";

// `npm run backup [-- --state DIR]`: takes a backup of a LOCAL platform (stopped) now, exactly as the daily cron
// does in production: each Worker that owns a D1 database exports it (and its buckets) into the backups bucket.
const { values } = parseArgs({ options: { state: { type: "string", default: process.env.EDGE_STATE_DIR ?? ".wrangler/state" } } });
const stateDir = resolve(values.state);
const platform = await startPlatform({ stateDir, port: 0, adminPort: 0, demoSize: 0, logLevel: "warn" });
try {
  const backup = await (await platformBackup(platform.miniflare, process.cwd()))();
  console.log(`backup ${backup.takenAt} of ${backup.databases.join(", ")} written to the backups bucket in ${stateDir}`);
  console.log(
    `restore it with: npm run restore -- --from ${backup.takenAt}${values.state === ".wrangler/state" ? "" : ` --state ${values.state}`}`,
  );
} finally {
  await platform.dispose();
}
