import { describe, expect, test } from "bun:test";
import { TestStats } from "../../../src/driver/test-stats.ts";
import { LiveTest } from "../../../src/orchestrator/live-test.ts";
import { splitByRequest } from "../../../src/orchestrator/test-tally.ts";
import type { TestRecord } from "../../../src/orchestrator/test-state.ts";
import type { MetricsReport } from "../../../src/protocol/index.ts";
import { runningRecord, T0 } from "./fixtures.ts";

const record = (): TestRecord => runningRecord();
const nodes = { get: () => undefined };
const NAMES = ["ping", "create"];
const stats = (nodeId: string) => new TestStats({ nodeId, testId: "t1", paced: false, startedAtMs: T0, epochOffsetMs: T0, requestNames: NAMES });

/** `n` responses of `request` with latencies `latencyMs` + 0..4, every `failEvery`-th failing its checks. */
function respond(s: TestStats, request: number, n: number, latencyMs: number, failEvery = 0): void {
  for (let i = 0; i < n; i++) {
    s.onSend(1, NaN, request);
    const fail = failEvery > 0 && i % failEvery === 0;
    s.onOutcome(fail ? "status_5xx" : "status_2xx", latencyMs + (i % 5), NaN, false, { request, bytesSent: 10, bytesReceived: 20, ...(fail ? { checkFailure: `status 500 not in [200] (${request})` } : {}) });
  }
}

describe("RequestSplitter and per-request aggregate", () => {
  test("each by_request entry becomes a report part with the report's identity; a report without one gives none", () => {
    const s = stats("d1");
    respond(s, 1, 3, 5, 2);
    const report = s.report(T0 + 1_000, true);
    const parts = splitByRequest(report);
    expect(parts.map(([name, part, failure]) => [name, part.report_id, part.sequence, part.final, part.counts?.sent, part.window?.counts.sent, part.total_digest !== undefined, failure])).toEqual([
      ["ping", report.report_id, 0, true, 0, 0, true, undefined],
      ["create", report.report_id, 0, true, 3, 3, true, "status 500 not in [200] (1)"],
    ]);
    expect(splitByRequest({ ...report, by_request: undefined })).toEqual([]);
  });

  test("two drivers' by_request merge exactly: counts summed, digests merged not averaged, first check failure kept", () => {
    const live = new LiveTest(record(), T0);
    const d1 = stats("d1");
    const d2 = stats("d2");
    respond(d1, 0, 90, 10);
    respond(d1, 1, 4, 50, 2);
    respond(d2, 0, 10, 1_000);
    respond(d2, 1, 6, 70, 3);
    const reports: MetricsReport[] = [d1.report(T0 + 1_000, false), d2.report(T0 + 1_000, false)];
    respond(d1, 0, 1, 10);
    reports.push(d1.report(T0 + 2_000, true), d2.report(T0 + 2_000, true));
    reports.forEach((r, i) => live.applyReport(r, T0 + 1_000 + i));
    live.applyReport(reports[0]!, T0 + 5_000); // a redelivery changes nothing
    const view = live.view(nodes, T0 + 3_000, {});
    const { ping, create } = view.by_request!;
    expect({
      names: Object.keys(view.by_request!),
      ping: { sent: ping!.counts.sent, completed: ping!.counts.completed, medianNear12: Math.abs(ping!.metrics!.median - 12) <= 2, max: ping!.metrics!.max, p99Slow: ping!.metrics!.p99 > 1_000, check_failed: ping!.check_failed, first: ping!.first_check_failure },
      create: { sent: create!.counts.sent, status_5xx: create!.counts.status_5xx, check_failed: create!.check_failed, bytes: create!.counts.bytes_received, min: create!.metrics!.min, max: create!.metrics!.max, first: create!.first_check_failure },
      whole: { sent: view.metrics.counts.sent, check_failed: view.metrics.counts.check_failed, bytes_sent: view.metrics.counts.bytes_sent },
    }).toEqual({
      names: ["ping", "create"],
      // 91 of 101 at 10-14 ms: the merged median is about 12 (averaging the drivers' medians would give ~507).
      ping: { sent: 101, completed: 101, medianNear12: true, max: 1_004, p99Slow: true, check_failed: 0, first: null },
      create: { sent: 10, status_5xx: 4, check_failed: 4, bytes: 200, min: 50, max: 74, first: "status 500 not in [200] (1)" },
      whole: { sent: 111, check_failed: 4, bytes_sent: 1_110 },
    });
  });

  test("restore rebuilds by_request from the stored reports, in any order", () => {
    const live = new LiveTest(record(), T0);
    const stored: { report: MetricsReport; received_at: number }[] = [];
    const d1 = stats("d1");
    const d2 = stats("d2");
    for (let i = 0; i < 3; i++) {
      respond(d1, i % 2, 5 + i, 10 + i, 2);
      respond(d2, 1, 3, 40 + i);
      for (const r of [d1.report(T0 + 1_000 * (i + 1), i === 2), d2.report(T0 + 1_000 * (i + 1), i === 2)]) {
        live.applyReport(r, r.timestamp!);
        stored.push({ report: r, received_at: r.timestamp! });
      }
    }
    const restored = LiveTest.restore(record(), [...stored].reverse(), T0);
    const before = live.view(nodes, T0 + 9_000, {}).by_request!;
    expect(restored.view(nodes, T0 + 9_000, {}).by_request).toEqual(before);
    expect(before.create!.counts.sent).toBe(6 + 9);
  });

  test("the series carries bytes and check failures per second where the reports do, for the test and per name", () => {
    const live = new LiveTest(record(), T0);
    const d1 = stats("d1");
    respond(d1, 1, 4, 50, 2);
    live.applyReport(d1.report(T0 + 1_000, true), T0 + 1_000);
    const [point] = live.series().points;
    const [create] = live.byRequest.get("create")!.series().points;
    expect([point!.total, create!.total].map((s) => [s.bytes_sent, s.bytes_received, s.check_failed])).toEqual([
      [40, 80, 2],
      [40, 80, 2],
    ]);
  });
});
