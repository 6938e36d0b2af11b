import { parseArgs } from "node:util";
import { type Platform, startPlatform } from "./platform.ts";

// `npm start`: the production-like local platform. Ctrl-C / SIGTERM stop it cleanly.
const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8787" },
    "admin-port": { type: "string", default: process.env.ADMIN_PORT ?? "8788" },
    state: { type: "string", default: process.env.EDGE_STATE_DIR ?? ".wrangler/state" },
    "demo-size": { type: "string", default: process.env.DEMO_SIZE },
    "log-level": { type: "string", default: process.env.LOG_LEVEL },
  },
});

let platform: Platform | undefined;
let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping…`);
  setTimeout(() => {
    console.error("workerd did not stop within 10 s; exiting anyway");
    process.exit(1);
  }, 10_000).unref();
  await platform?.dispose();
  process.exit(0);
};
// Miniflare's exit hook answers a signal with an immediate process.exit(128 + signal), cutting an async
// dispose short. This process is the entry point, so it takes the signals over and shuts down in order.
const takeOverSignals = (): void => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal));
  }
};
takeOverSignals();

const started = Date.now();
platform = await startPlatform({
  port: Number(values.port),
  adminPort: Number(values["admin-port"]),
  stateDir: values.state,
  demoSize: values["demo-size"] === undefined ? undefined : Number(values["demo-size"]),
  logLevel: values["log-level"],
  say: (line) => console.log(line),
});
takeOverSignals();
console.log(`storefront: ${platform.url.origin}  (API docs: ${new URL("/docs", platform.url)})`);
console.log(`admin:      ${platform.adminUrl.origin}  (merchant API: /admin/v1/…)`);
console.log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s — Ctrl-C to stop`);
