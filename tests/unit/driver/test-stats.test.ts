import { describe, expect, test } from "bun:test";
import { reportId, TestStats } from "../../../src/driver/test-stats.ts";
import { validate } from "../../../src/protocol/index.ts";

const EPOCH = 1_800_000_000_000;
const stats = (paced = false, keepRaw = false) =>
  new TestStats({ nodeId: "d1", testId: "t1", paced, startedAtMs: EPOCH, epochOffsetMs: EPOCH, keepRaw });
const weight = (digest: { counts: number[] }) => digest.counts.reduce((a, b) => a + b, 0);

describe("TestStats", () => {
  test("counts each outcome by class; completed means a response came back", () => {
    const s = stats();
    for (let i = 0; i < 7; i++) s.onSend(i, NaN);
    s.onOutcome("status_2xx", 10, NaN);
    s.onOutcome("status_2xx", 20, NaN);
    s.onOutcome("status_3xx", 5, NaN);
    s.onOutcome("status_4xx", 5, NaN);
    s.onOutcome("status_5xx", 5, NaN);
    s.onOutcome("timeout", 10_000, NaN);
    expect(s.inFlight()).toBe(1);
    s.onOutcome("connection_error", 1, NaN);
    expect(s.report(EPOCH + 1_000, true).counts).toEqual({
      sent: 7, completed: 5, status_2xx: 2, status_3xx: 1, status_4xx: 1, status_5xx: 1, timeout: 1, connection_error: 1, late: 0,
    });
    expect(s.inFlight()).toBe(0);
  });

  test("counts a response whose body passed the cap in its class and in body_too_large, which appears only once it happens", () => {
    const s = stats();
    for (let i = 0; i < 3; i++) s.onSend(i, NaN);
    s.onOutcome("status_2xx", 10, NaN);
    const before = s.report(EPOCH + 1_000, false);
    s.onOutcome("status_2xx", 50, NaN, true);
    s.onOutcome("status_5xx", 50, NaN, true);
    const after = s.report(EPOCH + 2_000, true);
    expect({ before: before.counts?.body_too_large, total: after.counts, window: after.window!.counts.body_too_large, valid: validate("metrics", after).ok }).toEqual({
      before: undefined,
      total: { sent: 3, completed: 3, status_2xx: 2, status_3xx: 0, status_4xx: 0, status_5xx: 1, timeout: 0, connection_error: 0, late: 0, body_too_large: 2 },
      window: 2,
      valid: true,
    });
  });

  test("resets window figures each report while totals accumulate", () => {
    const s = stats();
    s.onSend(0, NaN);
    s.onSend(1, NaN);
    s.onOutcome("status_2xx", 4, NaN);
    s.onOutcome("status_2xx", 8, NaN);
    const first = s.report(EPOCH + 1_000, false);
    s.onSend(1_500, NaN);
    s.onOutcome("status_5xx", 30, NaN);
    const second = s.report(EPOCH + 2_000, false);
    const third = s.report(EPOCH + 3_000, true);

    expect(first.window).toMatchObject({ start_ms: EPOCH, end_ms: EPOCH + 1_000, latency_sum_ms: 12, min_latency: 4, max_latency: 8 });
    expect(first.window!.counts).toMatchObject({ sent: 2, completed: 2, status_2xx: 2 });
    expect(weight(first.window!.digest)).toBe(2);
    expect(second.window).toMatchObject({ start_ms: EPOCH + 1_000, end_ms: EPOCH + 2_000, latency_sum_ms: 30, min_latency: 30, max_latency: 30 });
    expect(second.window!.counts).toMatchObject({ sent: 1, completed: 1, status_2xx: 0, status_5xx: 1 });
    expect(weight(second.window!.digest)).toBe(1);
    expect(third.window).toMatchObject({ latency_sum_ms: 0, digest: { means: [], counts: [] } });
    expect(third.window!.min_latency).toBeUndefined();

    expect(second.counts).toMatchObject({ sent: 3, completed: 3, status_2xx: 2, status_5xx: 1 });
    expect(second.metrics).toMatchObject({ mean_latency: 14, min_latency: 4, max_latency: 30 });
    expect(third.metrics).toEqual(second.metrics);
    expect(weight(third.total_digest!)).toBe(3);
  });

  test("numbers reports, ids them node:test:sequence, and marks only the last final", () => {
    const s = stats();
    const reports = [s.report(EPOCH + 1, false), s.report(EPOCH + 2, false), s.report(EPOCH + 3, true)];
    expect(reports.map((r) => [r.sequence, r.report_id, r.final, r.total_digest !== undefined])).toEqual([
      [0, "d1:t1:0", false, false],
      [1, "d1:t1:1", false, false],
      [2, "d1:t1:2", true, true],
    ]);
    for (const r of reports) expect(validate("metrics", r).ok).toBe(true);
  });

  test("keeps report ids within the wire's 128 characters and stable for long ids", () => {
    const long = "x".repeat(100);
    const id = reportId(long, long, 7);
    expect(id.length).toBeLessThanOrEqual(128);
    expect(id).toEndWith(":7");
    expect(reportId(long, long, 7)).toBe(id);
    expect(reportId(long, long + "y", 7)).not.toBe(id);
  });

  test("measures paced sends from their due time too and counts the late ones", () => {
    const s = stats(true);
    s.onSend(100, 100);
    s.onSend(112, 110); // 2 ms behind: within the threshold
    s.onSend(150, 120); // 30 ms behind: late
    s.onOutcome("status_2xx", 10, 10);
    s.onOutcome("status_2xx", 10, 12);
    s.onOutcome("status_2xx", 10, 40);
    const report = s.report(EPOCH + 1_000, true);
    expect(report.counts!.late).toBe(1);
    expect(report.window!.counts.late).toBe(1);
    expect(report.metrics).toMatchObject({ min_latency: 10, max_latency: 10 });
    expect(report.due_metrics).toMatchObject({ min_latency: 10, max_latency: 40 });
    expect(weight(report.window!.due_digest!)).toBe(3);
    expect(weight(report.total_due_digest!)).toBe(3);
  });

  test("leaves due-time fields out when sends are not paced", () => {
    const s = stats(false);
    s.onSend(0, NaN);
    s.onOutcome("status_2xx", 3, NaN);
    const report = s.report(EPOCH + 1_000, true);
    expect([report.due_metrics, report.window!.due_digest, report.total_due_digest]).toEqual([undefined, undefined, undefined]);
  });

  test("reports first and last send as epoch ms", () => {
    const s = stats();
    expect(s.report(EPOCH + 1, false).first_send_at).toBeUndefined();
    s.onSend(10.4, NaN);
    s.onSend(900.6, NaN);
    expect(s.report(EPOCH + 1_000, false)).toMatchObject({ first_send_at: EPOCH + 10, last_send_at: EPOCH + 901 });
  });

  test("keeps raw latencies only when asked", () => {
    const off = stats();
    const on = stats(false, true);
    for (const s of [off, on]) {
      s.onSend(0, NaN);
      s.onSend(0, NaN);
      s.onOutcome("status_2xx", 1.5, NaN);
      s.onOutcome("timeout", 10_000, NaN);
    }
    expect([off.raw, on.raw]).toEqual([null, [1.5]]);
  });
});
