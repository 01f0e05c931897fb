import { describe, expect, test } from "bun:test";
import { TestStats } from "../../../src/driver/test-stats.ts";
import type { Outcome } from "../../../src/driver/outcome.ts";

const EPOCH = 1_800_000_000_000;
const stats = (paced: boolean, keepRaw = false) =>
  new TestStats({ nodeId: "d1", testId: "t1", paced, startedAtMs: EPOCH, epochOffsetMs: EPOCH, keepRaw });

/** One recorded request: send time, due time, outcome, latency, body past the cap. */
type Send = [startedMs: number, dueMs: number, outcome: Outcome, latencyMs: number, tooLarge?: boolean];

const play = (s: TestStats, sends: Send[]) => {
  for (const [startedMs, dueMs] of sends) s.onSend(startedMs, dueMs);
  for (const [startedMs, dueMs, outcome, latencyMs, tooLarge] of sends) s.onOutcome(outcome, latencyMs, startedMs + latencyMs - dueMs, tooLarge);
};

/** A fast worker (1..2 ms) and a slow one (100..200 ms, some late, some stopped, some too large). */
function loads(): [Send[], Send[]] {
  const fast: Send[] = Array.from({ length: 3_000 }, (_, i) => [10 + i, 10 + i, "status_2xx", 1 + (i % 100) / 100]);
  const slow: Send[] = Array.from({ length: 1_000 }, (_, i) => [i * 3 + (i % 2 === 0 ? 50 : 0), i * 3, i % 50 === 0 ? "stopped" : i % 10 === 0 ? "status_5xx" : "status_2xx", 100 + (i % 100), i % 97 === 0]);
  return [fast, slow];
}

describe("merging worker windows into one report", () => {
  test("the merged report equals one loop's report of the same requests: counts summed, exact figures carried, digests merged", () => {
    const [fast, slow] = loads();
    const single = stats(true);
    play(single, [...fast, ...slow]);
    const expected = single.report(EPOCH + 1_000, true);

    const main = stats(true);
    const a = stats(true);
    const b = stats(true);
    // Worker a closes two windows, b one, the main thread absorbs them in any order.
    play(a, fast.slice(0, 1_000));
    main.absorb(a.closeShare(false));
    play(b, slow);
    play(a, fast.slice(1_000));
    main.absorb(b.closeShare(true));
    main.absorb(a.closeShare(true));
    const merged = main.report(EPOCH + 1_000, true);

    expect(merged.counts).toEqual(expected.counts);
    expect(merged.counts).toMatchObject({ sent: 4_000, stopped: 20, late: 500, body_too_large: 10 });
    expect(merged.window!.counts).toEqual(expected.window!.counts);
    expect(merged.window!.latency_sum_ms).toBeCloseTo(expected.window!.latency_sum_ms, 6);
    expect([merged.window!.min_latency, merged.window!.max_latency]).toEqual([expected.window!.min_latency, expected.window!.max_latency]);
    expect([merged.metrics.mean_latency, merged.metrics.min_latency, merged.metrics.max_latency]).toEqual([expected.metrics.mean_latency, expected.metrics.min_latency, expected.metrics.max_latency]);
    expect(merged.first_send_at).toBe(expected.first_send_at);
    // The latest send of either worker (this fixture plays the fast worker's later sends first).
    expect(merged.last_send_at).toBe(EPOCH + 10 + 2_999);
    const weight = (d: { counts: number[] }) => d.counts.reduce((x, y) => x + y, 0);
    expect(weight(merged.total_digest!)).toBe(weight(expected.total_digest!));
    expect(weight(merged.total_due_digest!)).toBe(weight(expected.total_due_digest!));
    // 3,000 fast and 980 slow latencies: the median is a fast one (~1.5 ms), p90 a slow one;
    // averaging the workers' medians would give ~75 ms.
    expect(merged.metrics.median_latency).toBeCloseTo(expected.metrics.median_latency, 0);
    expect(merged.metrics.median_latency).toBeLessThan(3);
    expect(merged.metrics.p90_latency).toBeGreaterThan(100);
    expect(merged.metrics.p99_latency).toBeCloseTo(expected.metrics.p99_latency!, -1);
    expect(merged.due_metrics!.max_latency).toBe(expected.due_metrics!.max_latency);
  });

  test("per-second windows: what the workers handed over since the last report, totals across reports", () => {
    const [fast, slow] = loads();
    const main = stats(false);
    const a = stats(false);
    const b = stats(false);
    play(a, fast.slice(0, 500));
    play(b, slow.slice(0, 100));
    main.absorb(a.closeShare(false));
    main.absorb(b.closeShare(false));
    const first = main.report(EPOCH + 1_000, false);
    play(a, fast.slice(500, 800));
    main.absorb(a.closeShare(false));
    main.absorb(b.closeShare(false)); // an empty window
    const second = main.report(EPOCH + 2_000, false);
    expect([first.window!.counts.sent, second.window!.counts.sent, second.counts!.sent]).toEqual([600, 300, 900]);
    expect(second.window!.digest.counts.reduce((x, y) => x + y, 0)).toBe(300);
    expect(second.window!.max_latency).toBeLessThan(3);
  });

  test("the raw latencies of every worker reach the main thread's dump on their last window", () => {
    const main = stats(false, true);
    const a = stats(false, true);
    const b = stats(false, true);
    play(a, [[0, NaN, "status_2xx", 1], [1, NaN, "status_2xx", 2]]);
    play(b, [[0, NaN, "status_2xx", 3]]);
    main.absorb(a.closeShare(false));
    expect(main.raw).toEqual([]);
    main.absorb(a.closeShare(true));
    main.absorb(b.closeShare(true));
    expect(main.raw).toEqual([1, 2, 3]);
  });
});
