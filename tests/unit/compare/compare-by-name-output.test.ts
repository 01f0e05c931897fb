// A comparison's per-request rows in each place a user reads them: the CLI table, the
// dashboard's deltas table and the JUnit cases.
import { expect, test } from "bun:test";
import { formatComparison } from "../../../src/cli/compare-table.ts";
import { comparisonCases } from "../../../src/cli/junit.ts";
import { compareTests } from "../../../src/compare/compare.ts";
import { parseRegressionThresholds } from "../../../src/compare/regression-threshold.ts";
import { renderDeltas } from "../../../src/dashboard/client/compare-view.ts";
import type { RequestView, TestView } from "../../../src/orchestrator/snapshot.ts";
import { counts, testView } from "../cli/fixtures.ts";

const request = (sent: number, p99: number): RequestView => ({
  counts: counts(sent),
  metrics: { mean: 2, median: 2, min: 1, max: p99 * 2, p90: 3, p95: 4, p99 },
  check_failed: 0,
  first_check_failure: null,
});

function comparison() {
  const view = (id: string, createP99: number): TestView => ({ ...testView({ test_id: id }), by_request: { "GET /ping": request(600, 9), create: request(400, createP99) } });
  const thresholds = parseRegressionThresholds(["p99{name:create}=10%", "p99{name:GET /ping}=10%"]);
  if (!thresholds.ok) throw new Error("bad thresholds");
  return compareTests(view("A", 10), view("B", 20), thresholds.value);
}

test("the CLI prints a table per request name and lists a request's failed verdict", () => {
  const text = formatComparison(comparison());
  expect(text).toContain("request GET /ping\n");
  expect(text).toContain("request create\n");
  expect(text).toMatch(/p99 +10\.000 ms +20\.000 ms +\+10\.000 ms \(\+100\.0%\) +yes +✗ FAIL p99\{name:create\}=10%/);
  expect(text).toContain("max-regression: 1 of 2 exceeded\n  ✗ p99{name:create}=10%: worse than allowed 10%: worse by +100.0%");
});

test("the dashboard groups each request's rows under its name", () => {
  const html = renderDeltas(comparison());
  expect(html).toContain('<tr class="group"><th colspan="4">request create</th></tr>');
  expect(html).toContain('<tr data-metric="p99" data-request="create"><td>p99</td><td>10.00 ms</td><td>20.00 ms</td><td class="num-bad">+10.00 ms (+100.0%)</td></tr>');
});

test("JUnit has one case per judged request metric, naming the request", () => {
  const cases = comparisonCases(comparison());
  expect(cases.map((c) => [c.name, c.ok])).toEqual([
    ["max-regression p99{name:GET /ping}=10%", true],
    ["max-regression p99{name:create}=10%", false],
  ]);
  expect(cases[1]!.message).toBe("p99 of request create worse than allowed 10%: worse by +100.0%");
});
