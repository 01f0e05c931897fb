import { describe, expect, test } from "bun:test";
import { abortWindow, judgeAbort, type AbortCell } from "../../../../src/orchestrator/abort/abort-judge.ts";
import { zeroCounts } from "../../../../src/protocol/index.ts";
import { parseThreshold, type Threshold } from "../../../../src/protocol/thresholds.ts";
import { createDigest } from "../../../../src/stats/digest.ts";

const th = (text: string): Threshold => {
  const parsed = parseThreshold(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

/** Second `t_s` merged: `ok` latencies completed 2xx, `errors` 5xx (completed too), `timeouts`, `late` sends. */
function cell(t_s: number, { ok = [] as number[], errors = 0, timeouts = 0, late = 0 } = {}): AbortCell {
  const counts = { ...zeroCounts(), sent: ok.length + errors + timeouts, completed: ok.length + errors, status_2xx: ok.length, status_5xx: errors, timeout: timeouts, late };
  const digest = createDigest();
  const completed = [...ok, ...Array<number>(errors).fill(1)];
  for (const ms of completed) digest.push(ms);
  const exact = completed.length === 0 ? { count: 0, sum: 0, min: Infinity, max: -Infinity } : { count: completed.length, sum: completed.reduce((a, b) => a + b, 0), min: Math.min(...completed), max: Math.max(...completed) };
  return { t_s, counts, digest, exact };
}

/** `n` latencies spread evenly over [ms - 1, ms + 1). */
const fast = (n: number, ms = 5) => Array.from({ length: n }, (_, i) => ms - 1 + (2 * i) / n);
const judge = (cells: AbortCell[], thresholds: string[], elapsed_ms: number, window_s = 5, delay_s = 10) =>
  judgeAbort({ cells, thresholds: thresholds.map(th), window_s, delay_s, elapsed_ms });
const fired = (result: ReturnType<typeof judgeAbort>) => result && { expression: result.expression, observed: result.observed, window_s: result.window_s, shown: result.shown };

describe("the abort window", () => {
  test("is the last whole seconds before the current one, never before second 0", () => {
    expect([abortWindow(0, 5), abortWindow(999, 5), abortWindow(1_000, 5), abortWindow(3_500, 5), abortWindow(12_200, 5)]).toEqual([
      null,
      null,
      { from_s: 0, to_s: 0 },
      { from_s: 0, to_s: 2 },
      { from_s: 7, to_s: 11 },
    ]);
  });
});

describe("judging abort thresholds", () => {
  const failing = Array.from({ length: 20 }, (_, t) => cell(t, { ok: fast(50), errors: 50 }));

  test("never fires before the delay, then fires on the first judgement after it", () => {
    expect(judge(failing, ["errors>10%"], 9_999, 5, 10)).toBeNull();
    expect(fired(judge(failing, ["errors>10%"], 10_000, 5, 10))).toEqual({ expression: "errors>10%", observed: 50, window_s: 5, shown: "errors = 50.00% (250 of 500)" });
  });

  test("judges only the window: older seconds and the current, still arriving second do not count", () => {
    // Errors in seconds 0-2 and in the current second 8; seconds 3-7 are clean.
    const cells = [0, 1, 2].map((t) => cell(t, { errors: 100 })).concat([3, 4, 5, 6, 7].map((t) => cell(t, { ok: fast(100) })), cell(8, { errors: 1000 }));
    expect(judge(cells, ["errors>1%"], 8_500, 5, 0)).toBeNull();
    // A 7 s window reaches back to second 1: 200 errors of 700 sends.
    expect(fired(judge(cells, ["errors>1%"], 8_500, 7, 0))).toEqual({ expression: "errors>1%", observed: 28.57, window_s: 7, shown: "errors = 28.57% (200 of 700)" });
  });

  test("a delay shorter than the window judges the seconds there are, and says how many", () => {
    expect(fired(judge(failing, ["errors>=50%"], 2_300, 5, 2))).toEqual({ expression: "errors>=50%", observed: 50, window_s: 2, shown: "errors = 50.00% (100 of 200)" });
  });

  test("judges latency on the window's merged digest, in ms or s", () => {
    const cells = [cell(0, { ok: [...fast(98, 10), 3000, 3000] }), cell(1, { ok: fast(300, 10) })];
    expect(judge(cells, ["p99>2000"], 2_000, 5, 0)).toBeNull(); // 2 slow of 400: p99 is fast
    expect(fired(judge(cells, ["p99>2000"], 1_000, 5, 0))).toEqual({ expression: "p99>2000", observed: 3000, window_s: 1, shown: "p99 = 3.00 s" });
    expect(fired(judge(cells, ["max>=2.5s"], 2_000, 5, 0))?.observed).toBe(3000);
    expect(fired(judge(cells, ["mean>20"], 2_000, 5, 0))?.observed).toBeCloseTo((398 * 10 + 6000) / 400, 0);
    expect(fired(judge(cells, ["p50>9"], 2_000, 5, 0))?.observed).toBeCloseTo(10, 0);
    expect(fired(judge(cells, ["min<20"], 2_000, 5, 0))?.observed).toBe(9);
    expect(judge(cells, ["p90>20", "p95>20", "median>20"], 2_000, 5, 0)).toBeNull();
  });

  test("judges rps as the window's completions per second", () => {
    const cells = [0, 1, 2, 3].map((t) => cell(t, { ok: fast(t < 2 ? 100 : 10) }));
    expect(judge(cells, ["rps<50"], 2_500, 2, 0)).toBeNull();
    expect(fired(judge(cells, ["rps<50"], 4_500, 2, 0))).toEqual({ expression: "rps<50", observed: 10, window_s: 2, shown: "rps = 10.0/s" });
  });

  test("judges errors and late sends as counts or as shares of the window's sends", () => {
    const cells = [cell(0, { ok: fast(90), timeouts: 10, late: 30 })];
    const observed = (t: string) => judge(cells, [t], 1_000, 5, 0)?.observed ?? null;
    expect(["errors>=10", "errors>10", "errors>9%", "errors>10%", "late>29", "late>30%", "late>=30%"].map(observed)).toEqual([10, null, 10, null, 30, null, 30]);
  });

  test("a figure that does not exist never fires: no completed request, no send", () => {
    const silent = [cell(0, { timeouts: 20 }), cell(1)];
    expect(judge(silent, ["p99>0", "max>=0"], 2_000, 5, 0)).toBeNull();
    expect(judge([cell(0)], ["errors>=0%", "late>=0%"], 1_000, 5, 0)).toBeNull();
    // Counts and rps are 0, which is a figure.
    expect(fired(judge([cell(0)], ["rps<1"], 1_000, 5, 0))?.observed).toBe(0);
  });

  test("the first threshold that holds fires, in the order given", () => {
    expect(judge(failing, ["p99>1000", "errors>40%", "errors>10%"], 12_000)?.expression).toBe("errors>40%");
  });
});
