import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { DRAIN_SECONDS, type LoadResult, type LoadSpec, type Request } from "./load-spec.ts";

// Runs in its own process so the load generator never shares an event loop with what it measures.
// The spec comes as a file: a list of thousands of requests is more than one argv string may hold.
const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as LoadSpec;
const once = spec.once === true;
let next = 0;
// With `once`, a connection that re-sends after an error must not repeat a request: past the end it asks
// for a path that does not exist, and the 404 counts as an error.
const spent: Request = { path: "/__bench/requests-spent" };
let spentSent = 0;
let answered = 0;
let firstSent = 0;
let lastAnswered = 0;
let draining = false;
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon(
    {
      url: spec.origin,
      connections: spec.connections,
      // `amount` ends the run once every request is answered; the timers below bound it in time.
      ...(once ? { amount: spec.requests.length } : { duration: spec.seconds }),
      // autocannon gives up on a request after 10 s by default; a `once` request may take up to the drain (an
      // answer later than that is an error), so slow answers are measured rather than cut off.
      ...(once ? { timeout: DRAIN_SECONDS } : {}),
      requests: [
        {
          setupRequest: (request) => {
            if (firstSent === 0) firstSent = performance.now();
            const exhausted = once && next >= spec.requests.length;
            if (exhausted) spentSent++;
            const r = exhausted ? spent : spec.requests[next++ % spec.requests.length];
            if (r === undefined) return request;
            return {
              ...request,
              path: r.path,
              method: r.method ?? "GET",
              headers: { ...request.headers, ...r.headers },
              body: r.body ?? "",
            };
          },
        },
      ],
    },
    (err, res) => (err ? reject(err) : resolve(res)),
  );
  instance.on("response", (client) => {
    answered++;
    lastAnswered = performance.now();
    // Draining: this connection sends nothing more. Its request budget (autocannon's `responseMax`, what
    // `amount` sets) is cut to what it has sent, so it closes; once all have, the run ends.
    if (draining) {
      const budget = client as unknown as { responseMax: number; reqsMade: number };
      budget.responseMax = budget.reqsMade;
    }
  });
  if (once) {
    // A `once` run stops sending after `seconds`, then waits for what it has in flight: a slow request cut off
    // would still run on the server, and its latency is the one that matters. The wait is bounded too.
    setTimeout(() => {
      draining = true;
    }, spec.seconds * 1000).unref();
    setTimeout(() => instance.stop(), (spec.seconds + DRAIN_SECONDS) * 1000).unref();
  }
});
const statusCounts = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
const total = Object.values(statusCounts).reduce((n, s) => n + s.count, 0);
const expected = statusCounts[String(spec.expectStatus)]?.count ?? 0;
const out: LoadResult = {
  requests: result.requests.total,
  // A `once` run divides what was answered by the time from its first request to its last answer (autocannon's
  // per-second average would count the drain's idle tail and the partial seconds).
  rps: once ? answered / Math.max(0.001, (lastAnswered - firstSent) / 1000) : result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  // A `once` request is an error unless it got the expected answer (a wrong status, no answer, a timeout).
  errors: once ? next + spentSent - expected : result.errors + result.timeouts + (total - expected),
  statuses: Object.fromEntries(Object.entries(statusCounts).map(([status, s]) => [status, s.count])),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
