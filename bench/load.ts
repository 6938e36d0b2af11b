import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import type { LoadResult, LoadSpec } from "./load-spec.ts";

// Runs in its own process so the load generator never shares an event loop with what it measures.
// The spec comes as a file: a list of thousands of requests is more than one argv string may hold.
const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as LoadSpec;
let next = 0;
const result = await autocannon({
  url: spec.origin,
  connections: spec.connections,
  duration: spec.seconds,
  requests: [
    {
      setupRequest: (request) => {
        const r = spec.requests[next++ % spec.requests.length];
        if (r === undefined) return request;
        return { ...request, path: r.path, method: r.method ?? "GET", headers: { ...request.headers, ...r.headers }, body: r.body ?? "" };
      },
    },
  ],
});
const statusCounts = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
const answered = Object.values(statusCounts).reduce((n, s) => n + s.count, 0);
const expected = statusCounts[String(spec.expectStatus)]?.count ?? 0;
const out: LoadResult = {
  requests: result.requests.total,
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors + result.timeouts + (answered - expected),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
