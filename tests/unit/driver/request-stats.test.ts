import { describe, expect, test } from "bun:test";
import { TestStats } from "../../../src/driver/test-stats.ts";
import { encode, validate, MAX_MESSAGE_BYTES, type Counts, type MetricsReport } from "../../../src/protocol/index.ts";

const EPOCH = 1_800_000_000_000;
const stats = (requestNames?: string[]) =>
  new TestStats({ nodeId: "d1", testId: "t1", paced: false, startedAtMs: EPOCH, epochOffsetMs: EPOCH, ...(requestNames ? { requestNames } : {}) });
const weight = (digest: { counts: number[] }) => digest.counts.reduce((a, b) => a + b, 0);
const counts = (more: Partial<Counts>): Counts => ({ sent: 0, completed: 0, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0, ...more });

/** Two requests: "ping" gets 3 responses (one failing its checks), "create" one 500 failing its checks and one timeout. */
function twoRequests(s: TestStats): void {
  for (const r of [0, 1, 0, 1, 0]) s.onSend(1, NaN, r);
  s.onOutcome("status_2xx", 10, NaN, false, { request: 0, bytesSent: 100, bytesReceived: 200 });
  s.onOutcome("status_2xx", 30, NaN, false, { request: 0, bytesSent: 100, bytesReceived: 200, checkFailure: 'body does not include "pong"' });
  s.onOutcome("status_2xx", 20, NaN, false, { request: 0, bytesSent: 100, bytesReceived: 200, checkFailure: "latency 612 ms > 500 ms" });
  s.onOutcome("status_5xx", 50, NaN, false, { request: 1, bytesSent: 1000, bytesReceived: 150, checkFailure: "status 500 not in [200,201]" });
  s.onOutcome("timeout", 5_000, NaN, false, { request: 1, bytesSent: 1000, bytesReceived: 0 });
}

describe("TestStats per request", () => {
  test("counts each request name apart, check failures beside the status class, bytes, and keeps each name's first failure", () => {
    const s = stats(["ping", "create"]);
    twoRequests(s);
    const report = s.report(EPOCH + 1_000, true);
    const { ping, create } = report.by_request!;
    expect({
      valid: validate("metrics", report).ok,
      total: report.counts,
      ping: { counts: ping!.counts, first: ping!.first_check_failure, max: ping!.metrics.max_latency, window: ping!.window!.counts.completed, digest: weight(ping!.total_digest!) },
      create: { counts: create!.counts, first: create!.first_check_failure, max: create!.metrics.max_latency, digest: weight(create!.window!.digest) },
    }).toEqual({
      valid: true,
      total: counts({ sent: 5, completed: 4, status_2xx: 3, status_5xx: 1, timeout: 1, check_failed: 3, bytes_sent: 2300, bytes_received: 750 }),
      ping: { counts: counts({ sent: 3, completed: 3, status_2xx: 3, check_failed: 2, bytes_sent: 300, bytes_received: 600 }), first: 'body does not include "pong"', max: 30, window: 3, digest: 3 },
      create: { counts: counts({ sent: 2, completed: 1, status_5xx: 1, timeout: 1, check_failed: 1, bytes_sent: 2000, bytes_received: 150 }), first: "status 500 not in [200,201]", max: 50, digest: 1 },
    });
  });

  test("a name's window restarts each report and its total digest comes on the final report only", () => {
    const s = stats(["ping", "create"]);
    s.onSend(1, NaN, 0);
    s.onOutcome("status_2xx", 10, NaN, false, { request: 0, bytesSent: 1, bytesReceived: 1 });
    const first = s.report(EPOCH + 1_000, false);
    s.onSend(1, NaN, 0);
    s.onOutcome("status_2xx", 40, NaN, false, { request: 0, bytesSent: 1, bytesReceived: 1 });
    const last = s.report(EPOCH + 2_000, true);
    const ping = (r: MetricsReport) => r.by_request!.ping!;
    expect({
      first: { window: ping(first).window!.counts.sent, start: ping(first).window!.start_ms, total: ping(first).total_digest },
      last: { window: ping(last).window!.counts.sent, start: ping(last).window!.start_ms, end: ping(last).window!.end_ms, sent: ping(last).counts.sent, total: weight(ping(last).total_digest!), mean: ping(last).metrics.mean_latency },
      create: last.by_request!.create!.counts.sent,
    }).toEqual({
      first: { window: 1, start: EPOCH, total: undefined },
      last: { window: 1, start: EPOCH + 1_000, end: EPOCH + 2_000, sent: 2, total: 2, mean: 25 },
      create: 0,
    });
  });

  test("a test without a scenario reports no by_request and no bytes (today's report)", () => {
    const s = stats();
    s.onSend(1, NaN);
    s.onOutcome("status_2xx", 10, NaN);
    const report = s.report(EPOCH + 1_000, true);
    expect({ by_request: report.by_request, counts: report.counts }).toEqual({ by_request: undefined, counts: counts({ sent: 1, completed: 1, status_2xx: 1 }) });
  });

  test("a worker's per-request windows absorbed by the main thread equal one thread's figures of the same sends", () => {
    const one = stats(["ping", "create"]);
    twoRequests(one);
    twoRequests(one);
    const main = stats(["ping", "create"]);
    const worker = stats(["ping", "create"]);
    twoRequests(main);
    twoRequests(worker);
    main.absorb(worker.closeShare(true));
    const a = one.report(EPOCH + 1_000, true);
    const b = main.report(EPOCH + 1_000, true);
    const shape = (r: MetricsReport) =>
      Object.fromEntries(Object.entries(r.by_request!).map(([name, p]) => [name, { counts: p.counts, metrics: p.metrics, first: p.first_check_failure, window: p.window!.counts, digest: weight(p.total_digest!), sum: p.window!.latency_sum_ms }]));
    expect({ counts: b.counts, by_request: shape(b) }).toEqual({ counts: a.counts, by_request: shape(a) });
    expect(b.by_request!.create!.counts.check_failed).toBe(2);
  });

  test("a final report of 64 names with large digests fits the bus's message size and validates", () => {
    const names = Array.from({ length: 64 }, (_, i) => `request number ${i} with a long name ${"x".repeat(90)}`);
    const s = stats(names);
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 64 * 4_000; i++) {
      const request = i % 64;
      s.onSend(1, NaN, request);
      s.onOutcome("status_2xx", random() * 1000 + random() * random() * 50_000, NaN, false, { request, bytesSent: 120, bytesReceived: 300, checkFailure: `status 500 not in [200] ${"y".repeat(2000)}` });
    }
    const report = s.report(EPOCH + 1_000, true);
    const bytes = new TextEncoder().encode(encode("metrics", report)).length;
    expect({ valid: validate("metrics", report).ok, fits: bytes < MAX_MESSAGE_BYTES, names: Object.keys(report.by_request!).length }).toEqual({ valid: true, fits: true, names: 64 });
    expect(weight(report.by_request![names[5]!]!.total_digest!)).toBe(4_000);
  });
});
