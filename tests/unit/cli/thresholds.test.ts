import { describe, expect, test } from "bun:test";
import { evaluateThresholds, parseThreshold, parseThresholds, type Threshold } from "../../../src/cli/thresholds.ts";
import { counts, latency, testView } from "./fixtures.ts";

const parsed = (text: string): Threshold => {
  const result = parseThreshold(text);
  if (!result.ok) throw new Error(result.error);
  return result.value;
};

describe("parsing thresholds", () => {
  test("reads latency in ms or s, rates, and error counts or shares", () => {
    expect(["p99<200", " p50 <= 1.5s ", "rps>=500", "errors<1%", "errors<10", "late<5%", "max<1s", "mean>0"].map(parsed)).toEqual([
      { text: "p99<200", metric: "p99", op: "<", value: 200, percent: false },
      { text: "p50 <= 1.5s", metric: "p50", op: "<=", value: 1500, percent: false },
      { text: "rps>=500", metric: "rps", op: ">=", value: 500, percent: false },
      { text: "errors<1%", metric: "errors", op: "<", value: 1, percent: true },
      { text: "errors<10", metric: "errors", op: "<", value: 10, percent: false },
      { text: "late<5%", metric: "late", op: "<", value: 5, percent: true },
      { text: "max<1s", metric: "max", op: "<", value: 1000, percent: false },
      { text: "mean>0", metric: "mean", op: ">", value: 0, percent: false },
    ]);
  });

  test("reports every bad threshold with what is accepted", () => {
    const result = parseThresholds(["p99<200", "p98<1", "p99<5%", "rps>5ms", "errors", "p50=3"]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      expect.stringContaining('unknown metric "p98"'),
      expect.stringContaining("a latency is in ms"),
      expect.stringContaining("rps is not a time"),
      expect.stringContaining("expected <metric><op><value>"),
      expect.stringContaining("expected <metric><op><value>"),
    ]);
  });
});

describe("evaluating thresholds", () => {
  test("passes and fails against the final result, with the measured value shown", () => {
    const view = testView({ total: counts(1000, { completed: 980, status_2xx: 980, status_5xx: 15, timeout: 5 }) });
    view.metrics.latency = latency(2, 250);
    const results = evaluateThresholds(["p99<200", "p50<10", "errors<1%", "errors<=20", "rps>100"].map(parsed), view);
    expect(results.map((r) => [r.threshold.text, r.ok, r.actual, r.shown])).toEqual([
      ["p99<200", false, 250, "p99 = 250 ms"],
      ["p50<10", true, 2, "p50 = 2.00 ms"],
      ["errors<1%", false, 2, "errors = 2.00% (20 of 1,000)"],
      ["errors<=20", true, 20, "errors = 20"],
      ["rps>100", true, 197, "rps = 197/s"],
    ]);
  });

  test("fails a latency threshold when no request completed", () => {
    const view = testView({ total: counts(10, { completed: 0, status_2xx: 0, connection_error: 10 }) });
    view.metrics.latency = null;
    const [result] = evaluateThresholds([parsed("p99<200")], view);
    expect({ ok: result!.ok, actual: result!.actual, shown: result!.shown }).toEqual({ ok: false, actual: null, shown: "p99 = n/a (no completed request)" });
  });
});
