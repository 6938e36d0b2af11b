import { parseArgs } from "node:util";
import { startPlatform } from "./platform.ts";

// `npm start`: the production-like local platform. Ctrl-C / SIGTERM stop it cleanly.
const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8787" },
    state: { type: "string", default: process.env.EDGE_STATE_DIR ?? ".wrangler/state" },
    "demo-size": { type: "string", default: process.env.DEMO_SIZE },
    "log-level": { type: "string", default: process.env.LOG_LEVEL },
  },
});

const started = Date.now();
const platform = await startPlatform({
  port: Number(values.port),
  stateDir: values.state,
  demoSize: values["demo-size"] === undefined ? undefined : Number(values["demo-size"]),
  logLevel: values["log-level"],
  say: (line) => console.log(line),
});
console.log(`storefront: ${platform.url.origin}  (API docs: ${new URL("/docs", platform.url)})`);
console.log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s — Ctrl-C to stop`);

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping…`);
  await platform.dispose();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
