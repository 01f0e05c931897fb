import { describe, expect, test } from "bun:test";
import { describeTest, formatSummary, textTable } from "../../../src/cli/summary.ts";
import { MAX_COUNT_PER_DRIVER } from "../../../src/protocol/limits.ts";
import { evaluateThresholds, parseThreshold } from "../../../src/cli/thresholds.ts";
import { testView } from "./fixtures.ts";

describe("final summary", () => {
  test("lists totals, latency, errors, each driver and each threshold with its verdict", () => {
    const view = testView();
    const thresholds = ["p99<5", "errors<1%"].map((t) => {
      const p = parseThreshold(t);
      if (!p.ok) throw new Error(p.error);
      return p.value;
    });
    const text = formatSummary(view, evaluateThresholds(thresholds, view));
    expect(text.split("\n")).toEqual([
      "test 5f1c2a9e-0000-4000-8000-000000000001 done in 5.2 s",
      "  TSUNAMI every 10 ms, 500 requests × 2 driver(s) → http://127.0.0.1:8080/ping",
      "",
      "  requests ...... 1,000 sent, 1,000 completed, 197 req/s on average",
      "  latency ....... mean 2.40 ms  min 0.50 ms  p50 2.00 ms  p90 5.50 ms  p95 7.25 ms  p99 9.00 ms  max 18.0 ms",
      "  errors ........ 0 (0.00%): 4xx 0, 5xx 0, timeout 0, connection 0",
      "  late sends .... 0   start skew 3 ms",
      "",
      "  driver  outcome  sent  completed  req/s  errors      p50      p99      max",
      "  d1        final   500        500   98.5       0  2.00 ms  9.00 ms  18.0 ms",
      "  d2        final   500        500   98.5       0  2.00 ms  9.00 ms  18.0 ms",
      "",
      "thresholds: 1 of 2 failed",
      "  ✗ p99<5            p99 = 9.00 ms",
      "  ✓ errors<1%        errors = 0.00% (0 of 1,000)",
      "",
    ]);
  });

  test("names responses abandoned at the body cap, only when there were some", () => {
    const view = testView();
    const capped = { ...view, metrics: { ...view.metrics, counts: { ...view.metrics.counts, body_too_large: 12 } } };
    const line = (text: string) => text.split("\n").find((l) => l.includes("body too large"));
    expect({ without: line(formatSummary(view)), with: line(formatSummary(capped)) }).toEqual({
      without: undefined,
      with: "  body too large  12 responses abandoned at the drivers' --max-body-bytes",
    });
  });

  test("aligns a table: first column left, the others right", () => {
    expect(textTable([["a", "bb"], ["ccc", "d"]])).toEqual(["a    bb", "ccc   d"]);
  });
});

describe("what the test was, for a timed test", () => {
  test("stages and a duration replace the default count; a count given with them stays", () => {
    const view = testView();
    const at = (config: Record<string, unknown>) => describeTest({ ...view, config: { ...view.config, test_type: "AVALANCHE", ...config } } as typeof view);
    const stages = [{ duration_s: 10, target_throughput: 200 }, { duration_s: 20, target_throughput: 200 }, { duration_s: 5, target_throughput: 0 }];
    expect([
      at({ message_count_per_driver: MAX_COUNT_PER_DRIVER, stages }),
      at({ message_count_per_driver: MAX_COUNT_PER_DRIVER, duration_s: 30 }),
      at({ message_count_per_driver: 1000, duration_s: 90 }),
    ]).toEqual([
      "AVALANCHE, 3 stage(s) over 35.0 s up to 200 req/s × 2 driver(s) → http://127.0.0.1:8080/ping",
      "AVALANCHE, for 30.0 s × 2 driver(s) → http://127.0.0.1:8080/ping",
      "AVALANCHE, 1,000 requests, for 1m 30s × 2 driver(s) → http://127.0.0.1:8080/ping",
    ]);
  });
});
