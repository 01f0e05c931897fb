import { describe, expect, test } from "bun:test";
import { compareTests, metricValue } from "../../../src/compare/compare.ts";
import { parseRegressionThreshold, parseRegressionThresholds, type RegressionThreshold } from "../../../src/compare/regression-threshold.ts";
import type { RequestView, TestView } from "../../../src/orchestrator/snapshot.ts";
import { counts, latency, testView } from "../cli/fixtures.ts";

const thresholds = (...texts: string[]): RegressionThreshold[] => {
  const parsed = parseRegressionThresholds(texts);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
};

function view(id: string, { p50 = 2, p99 = 9, rps = 197, errors = 0, late = 0 }: { p50?: number; p99?: number; rps?: number; errors?: number; late?: number } = {}): TestView {
  const base = testView({ test_id: id, total: counts(1000, { timeout: errors, completed: 1000 - errors, late }) });
  return { ...base, metrics: { ...base.metrics, avg_requests_per_s: rps, latency: latency(p50, p99) } };
}

describe("regression thresholds", () => {
  test("parses relative %, percentage points for shares and ms for latencies, with aliases", () => {
    expect([parseRegressionThreshold("p99=10%"), parseRegressionThreshold(" errors = 0.1pp "), parseRegressionThreshold("rps=5%"), parseRegressionThreshold("P50=3ms")]).toEqual([
      { ok: true, value: { text: "p99=10%", metric: "p99", unit: "%", value: 10 } },
      { ok: true, value: { text: "errors = 0.1pp", metric: "errors", unit: "pp", value: 0.1 } },
      { ok: true, value: { text: "rps=5%", metric: "throughput", unit: "%", value: 5 } },
      { ok: true, value: { text: "P50=3ms", metric: "p50", unit: "ms", value: 3 } },
    ]);
  });

  test("names every bad entry and says what is accepted", () => {
    const parsed = parseRegressionThresholds(["p99=10%", "p99<10", "p42=1%", "p99=1pp", "errors=2ms", "late=1"]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.entry)).toEqual(['--max-regression "p99<10"', '--max-regression "p42=1%"', '--max-regression "p99=1pp"', '--max-regression "errors=2ms"', '--max-regression "late=1"']);
    expect(parsed.errors[0]!.message).toContain('e.g. "p99=10%"');
    expect(parsed.errors[1]!.message).toContain('unknown metric "p42"');
    expect(parsed.errors[2]!.message).toContain("errors and late only");
    expect(parsed.errors[3]!.message).toContain("latencies");
  });

  test("the API names entries by their index", () => {
    const parsed = parseRegressionThresholds(["p99=10%", "bogus"], (_, i) => `max_regression.${i}`);
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.entry)).toEqual(["max_regression.1"]);
  });
});

describe("comparing a candidate with its base", () => {
  test("reports base, candidate, absolute and relative change for every metric, in order", () => {
    const cmp = compareTests(view("A"), view("B", { p50: 3, p99: 18, rps: 150, errors: 5, late: 20 }));
    expect(cmp.metrics.map((m) => [m.metric, m.base, m.candidate, m.change, m.change_pct, m.regressed, m.verdict])).toEqual([
      ["throughput", 197, 150, -47, -23.86, true, "info"],
      ["errors", 0, 0.5, 0.5, null, true, "info"],
      ["p50", 2, 3, 1, 50, true, "info"],
      ["p90", 5.5, 10.5, 5, 90.91, true, "info"],
      ["p95", 7.25, 14.25, 7, 96.55, true, "info"],
      ["p99", 9, 18, 9, 100, true, "info"],
      ["max", 18, 36, 18, 100, true, "info"],
      ["late", 0, 2, 2, null, true, "info"],
    ]);
    expect({ passed: cmp.passed, base: cmp.base, candidate: cmp.candidate, by_name: cmp.by_name }).toEqual({ passed: true, base: "A", candidate: "B", by_name: {} });
  });

  test("fails a latency beyond its relative threshold and passes one within", () => {
    const cmp = compareTests(view("A"), view("B", { p50: 2.1, p99: 12 }), thresholds("p50=10%", "p99=10%"));
    const verdicts = Object.fromEntries(cmp.metrics.map((m) => [m.metric, m.verdict]));
    expect(verdicts).toMatchObject({ p50: "pass", p99: "fail", p90: "info" });
    expect(cmp.passed).toBe(false);
    expect(cmp.metrics.find((m) => m.metric === "p99")!.detail).toBe("worse than allowed 10%: worse by +33.3%");
  });

  test("judges errors in percentage points: 0.1pp allows 0.1% → 0.2% but not 0.1% → 0.3%", () => {
    const rule = thresholds("errors=0.1pp");
    // 1000 sent: 1 error is 0.1%, 2 are 0.2%, 3 are 0.3%.
    expect(compareTests(view("A", { errors: 1 }), view("B", { errors: 2 }), rule).passed).toBe(true);
    expect(compareTests(view("A", { errors: 1 }), view("B", { errors: 3 }), rule).passed).toBe(false);
    expect(compareTests(view("A", { errors: 1 }), view("B", { errors: 0 }), rule).metrics.find((m) => m.metric === "errors")!.verdict).toBe("pass");
  });

  test("throughput regresses when it drops, and a rise is never a failure", () => {
    const rule = thresholds("throughput=5%");
    expect(compareTests(view("A", { rps: 100 }), view("B", { rps: 94 }), rule).passed).toBe(false);
    expect(compareTests(view("A", { rps: 100 }), view("B", { rps: 96 }), rule).passed).toBe(true);
    expect(compareTests(view("A", { rps: 100 }), view("B", { rps: 500 }), rule).metrics[0]!.regressed).toBe(false);
  });

  test("a relative threshold on a base of 0 fails any worsening; an unmeasured latency fails its threshold", () => {
    expect(compareTests(view("A"), view("B", { late: 1 }), thresholds("late=50%")).passed).toBe(false);
    const noLatency = view("B");
    noLatency.metrics.latency = null;
    const cmp = compareTests(view("A"), noLatency, thresholds("p99=1000%"));
    expect(cmp.metrics.find((m) => m.metric === "p99")).toMatchObject({ verdict: "fail", candidate: null, detail: "p99 not measured in the candidate (no completed request)" });
    expect(metricValue(noLatency, "p50")).toBeNull();
  });

  test("a later threshold for the same metric overrides an earlier one", () => {
    expect(compareTests(view("A"), view("B", { p99: 18 }), thresholds("p99=10%", "p99=200%")).passed).toBe(true);
  });
});

/** A request's view: `completed` of `sent` with `errors` timeouts, p50/p99 as given. */
function request(sent: number, { p50 = 2, p99 = 9, errors = 0 }: { p50?: number; p99?: number; errors?: number } = {}): RequestView {
  return {
    counts: counts(sent, { timeout: errors, completed: sent - errors }),
    metrics: { mean: p50, median: p50, min: 1, max: p99 * 2, p90: p50 + 1, p95: p50 + 2, p99 },
    check_failed: 0,
    first_check_failure: null,
  };
}

describe("comparing request by request", () => {
  const scenario = (id: string, byRequest: Record<string, RequestView>) => ({ ...view(id, { rps: 200 }), by_request: byRequest });

  test("parses a named threshold; the tag's name may hold spaces and slashes", () => {
    expect(parseRegressionThreshold("p99{name:create}=10%")).toEqual({ ok: true, value: { text: "p99{name:create}=10%", metric: "p99", unit: "%", value: 10, name: "create" } });
    expect(parseRegressionThreshold("errors{ name: GET /items/${seq} }=0.5pp")).toMatchObject({ ok: true, value: { metric: "errors", unit: "pp", name: "GET /items/${seq}" } });
    expect(parseRegressionThreshold("p99{create}=10%")).toMatchObject({ ok: false });
  });

  test("every name both tests sent gets its metrics; its rate is its share of the test's", () => {
    const base = scenario("A", { get: request(600), create: request(400, { p99: 10 }), old: request(10) });
    const candidate = scenario("B", { get: request(600), create: request(400, { p99: 15, errors: 4 }), new: request(10) });
    const cmp = compareTests(base, candidate);
    expect(Object.keys(cmp.by_name)).toEqual(["get", "create"]);
    const create = Object.fromEntries(cmp.by_name.create!.map((m) => [m.metric, [m.base, m.candidate, m.regressed]]));
    expect(create).toMatchObject({ p99: [10, 15, true], errors: [0, 1, true], throughput: [80, 79.2, true] });
    expect(cmp.passed).toBe(true);
  });

  test("a named threshold judges that request only, and a name one test lacks fails and says where", () => {
    const base = scenario("A", { get: request(600, { p99: 9 }), create: request(400, { p99: 10 }) });
    const candidate = scenario("B", { get: request(600, { p99: 30 }), create: request(400, { p99: 10.5 }) });
    const cmp = compareTests(base, candidate, thresholds("p99{name:create}=10%"));
    expect(cmp.metrics.find((m) => m.metric === "p99")!.verdict).toBe("info");
    expect(cmp.by_name.get!.find((m) => m.metric === "p99")!.verdict).toBe("info");
    expect(cmp.by_name.create!.find((m) => m.metric === "p99")).toMatchObject({ verdict: "pass", threshold: "p99{name:create}=10%" });
    expect(cmp.passed).toBe(true);

    const worse = compareTests(base, candidate, thresholds("p99{name:get}=10%"));
    expect(worse.passed).toBe(false);
    expect(worse.by_name.get!.find((m) => m.metric === "p99")!.detail).toBe("worse than allowed 10%: worse by +233.3%");

    const missing = compareTests(base, { ...candidate, by_request: { get: request(600) } }, thresholds("p50{name:create}=5ms"));
    expect(missing.passed).toBe(false);
    expect(missing.by_name.create).toEqual([expect.objectContaining({ metric: "p50", verdict: "fail", detail: 'no request named "create" in the candidate' })]);
  });
});

