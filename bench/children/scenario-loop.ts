// Bench child: one SendLoop through the HTTP/1.1 pool for a fixed time, sending the plain GET
// or one scenario request (method, headers, body; prebuilt or with `${seq}` templated in its
// body), to http or https (tlsInsecure). Prints one JSON line (ScenarioLoopResult). The
// request source is the driver's own (scenario-hooks.ts) when this build has it, else a
// bench stand-in that prebuilds the request once or substitutes `${seq}` per send (named in
// the result's `source`). The job comes as JSON in argv[2].
import { systemClock } from "../../src/driver/clock.ts";
import { openHttp1Pool } from "../../src/driver/http1-pool.ts";
import { buildRequest, originOf } from "../../src/driver/http1-request.ts";
import type { Outcome } from "../../src/driver/outcome.ts";
import { planTest, type RunPlan } from "../../src/driver/run-plan.ts";
import { scenarioHooks } from "../../src/driver/scenario-hooks.ts";
import type { HttpMethod, PlannedRequest, RequestSource, SendSpec } from "../../src/driver/scenario/request-spec.ts";
import { SendLoop, type SendSink } from "../../src/driver/send-loop.ts";
import { Samples } from "../summary.ts";

/** What the parent asks for. */
export interface ScenarioLoopJob {
  url: string;
  connections: number;
  duration_s: number;
  /** Absent: the plain prebuilt GET (no request source). */
  request?: { method: HttpMethod; headers: [string, string][]; body: string };
  tlsInsecure?: boolean;
}

/** What this child prints. */
export interface ScenarioLoopResult {
  completed: number;
  duration_s: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  non_2xx: number;
  /** Responses per second between 25% and 90% of the run (connection set-up, TLS handshakes, left out). */
  steady_rps: number;
  /** CPU of this process (every thread) per response between 25% and 90% of the run (warm-up left out), µs. */
  steady_cpu_us_per_req: number;
  /** Which request source built the sends. */
  source: "driver" | "bench stand-in" | "none";
  first_error?: string;
}

const job = JSON.parse(Bun.argv[2] ?? "{}") as ScenarioLoopJob;
const planned = planTest({ test_id: "bench-scenario", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 100_000_000, target_url: job.url, concurrency: job.connections, timeout_ms: 10_000 });
if (!planned.ok) throw new Error(planned.error);
const requests: PlannedRequest[] | undefined =
  job.request === undefined ? undefined : [{ name: "bench", method: job.request.method, url: job.url, headers: job.request.headers, body: job.request.body, weight: 1, checks: null }];
const plan: RunPlan = { ...planned.plan, ...(requests ? { requests } : {}), ...(job.tlsInsecure ? { tlsInsecure: true } : {}) };

/** The bench stand-in: the request prebuilt once when its body has no `${seq}`, else the body templated per send. */
function standInSource(request: PlannedRequest): RequestSource {
  const encoder = new TextEncoder();
  const base: SendSpec = { request: 0, method: request.method, url: request.url, headers: request.headers, body: null, captureBodyBytes: 0 };
  const body = request.body ?? "";
  if (!body.includes("${seq}")) {
    const spec: SendSpec = { ...base, body: encoder.encode(body) };
    const wire = buildRequest(spec, originOf(new URL(request.url)), "kafka-loadtest");
    const prebuilt = { ...spec, wire };
    return { requests: [request], next: () => prebuilt };
  }
  const parts = body.split("${seq}");
  return { requests: [request], next: (seq) => ({ ...base, body: encoder.encode(parts.join(String(seq))) }) };
}

const source: RequestSource | undefined =
  requests === undefined ? undefined : scenarioHooks !== null ? scenarioHooks.createRequestSource(plan, { nodeId: "bench", testId: plan.testId }) : standInSource(requests[0]!);

const latencies = new Samples();
let completed = 0;
let errors = 0;
let non2xx = 0;
const sink: SendSink = {
  onSend() {},
  onOutcome(outcome: Outcome, latencyMs: number) {
    if (outcome === "status_2xx") {
      completed++;
      latencies.push(latencyMs);
    } else if (outcome === "timeout" || outcome === "connection_error") errors++;
    else if (outcome !== "stopped") {
      completed++;
      non2xx++;
    }
  },
};
const clock = systemClock;
const loop = new SendLoop(plan, { fetch, clock, sink, openHttp: openHttp1Pool, ...(source ? { requestSource: source } : {}), ...(scenarioHooks ? { checkResponse: scenarioHooks.checkResponse } : {}) }, clock.mono());
const startedMs = performance.now();
const durationMs = job.duration_s * 1000;
const marks: { cpu: number; completed: number; at: number }[] = [];
const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
setTimeout(() => marks.push({ cpu: cpuNow(), completed, at: performance.now() }), durationMs * 0.25);
setTimeout(() => marks.push({ cpu: cpuNow(), completed, at: performance.now() }), durationMs * 0.9);
setTimeout(() => void loop.stop(), durationMs);
await loop.start();
const elapsedS = (performance.now() - startedMs) / 1000;
const [p50, p99] = latencies.quantiles([0.5, 0.99]);
const steady = marks.length === 2 ? (marks[1]!.cpu - marks[0]!.cpu) / Math.max(1, marks[1]!.completed - marks[0]!.completed) : NaN;
const result: ScenarioLoopResult = {
  completed,
  duration_s: elapsedS,
  rps: completed / elapsedS,
  p50_ms: p50 ?? NaN,
  p99_ms: p99 ?? NaN,
  errors,
  non_2xx: non2xx,
  steady_rps: marks.length === 2 ? ((marks[1]!.completed - marks[0]!.completed) * 1000) / (marks[1]!.at - marks[0]!.at) : NaN,
  steady_cpu_us_per_req: steady,
  source: source === undefined ? "none" : scenarioHooks !== null ? "driver" : "bench stand-in",
  ...(loop.firstError !== undefined ? { first_error: loop.firstError } : {}),
};
console.log(JSON.stringify(result));
process.exit(0);
