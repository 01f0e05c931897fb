// Bench child: rate accuracy of the driver's send loop and token bucket. Runs one planned
// test (planTest defaults) through SendLoop with the real TestStats as its sink, teed to a
// recorder of each send's lag behind its ideal due time `start + k / rate`. Prints one JSON
// line (PacedLoopResult). The job comes as JSON in argv[2].
import { systemClock } from "../../src/driver/clock.ts";
import { planTest } from "../../src/driver/run-plan.ts";
import { SendLoop, type SendSink } from "../../src/driver/send-loop.ts";
import { TestStats } from "../../src/driver/test-stats.ts";
import type { Outcome } from "../../src/driver/outcome.ts";
import { Samples } from "../summary.ts";
import { senderFor, type SenderChoice } from "../sender-choice.ts";

/** What the parent asks for. */
export interface PacedLoopJob {
  url: string;
  count: number;
  throughput: number;
  concurrency?: number;
  sender?: SenderChoice;
}

/** What this child prints; times in ms. */
export interface PacedLoopResult {
  sent: number;
  completed: number;
  /** First to last send start. */
  send_span_ms: number;
  /** (sent − 1) / send span, per second. */
  achieved_rate: number;
  lag_p50_ms: number;
  lag_p99_ms: number;
  lag_max_ms: number;
  late: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  errors: number;
}

const job = JSON.parse(Bun.argv[2] ?? "{}") as PacedLoopJob;
const planned = planTest({
  test_id: "bench-rate",
  test_type: "AVALANCHE",
  test_message_delay: 0,
  message_count_per_driver: job.count,
  target_url: job.url,
  target_throughput: job.throughput,
  ...(job.concurrency !== undefined ? { concurrency: job.concurrency } : {}),
});
if (!planned.ok) throw new Error(planned.error);

const clock = systemClock;
const startMs = clock.mono() + 50;
const stats = new TestStats({ nodeId: "bench", testId: "bench-rate", paced: false, startedAtMs: clock.now(), epochOffsetMs: clock.now() - clock.mono() });
const intervalMs = 1000 / job.throughput;
const lags = new Samples();
let k = 0;
let firstSend = NaN;
let lastSend = NaN;
const sink: SendSink = {
  onSend(startedMs: number, dueMs: number) {
    lags.push(startedMs - (startMs + k++ * intervalMs));
    if (firstSend !== firstSend) firstSend = startedMs;
    lastSend = startedMs;
    stats.onSend(startedMs, dueMs);
  },
  onOutcome(outcome: Outcome, latencyMs: number, dueLatencyMs: number) {
    stats.onOutcome(outcome, latencyMs, dueLatencyMs);
  },
};
const loop = new SendLoop(planned.plan, { ...senderFor(job.sender, planned.plan), clock, sink }, startMs);
await loop.start();
const report = stats.report(clock.now(), true);
const [p50, p99, max] = lags.quantiles([0.5, 0.99, 1]);
const c = report.counts!;
const span = lastSend - firstSend;
const result: PacedLoopResult = {
  sent: c.sent,
  completed: c.completed,
  send_span_ms: span,
  achieved_rate: ((c.sent - 1) * 1000) / span,
  lag_p50_ms: p50!,
  lag_p99_ms: p99!,
  lag_max_ms: max!,
  late: c.late,
  latency_p50_ms: report.metrics.median_latency,
  latency_p99_ms: report.metrics.p99_latency ?? NaN,
  errors: c.timeout + c.connection_error,
};
console.log(JSON.stringify(result));
process.exit(0);
