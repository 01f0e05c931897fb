import { describe, expect, test } from "bun:test";
import { compareTests } from "../../../src/compare/compare.ts";
import { parseRegressionThresholds } from "../../../src/compare/regression-threshold.ts";
import { comparisonCases, escapeXml, junitXml, thresholdCases } from "../../../src/cli/junit.ts";
import { evaluateThresholds, parseThresholds } from "../../../src/cli/thresholds.ts";
import { findAll, parseXml } from "../../helpers/xml.ts";
import { latency, testView } from "./fixtures.ts";

describe("JUnit XML", () => {
  test("escapes the five XML characters and replaces characters XML forbids", () => {
    expect(escapeXml(`a<b>&"c"'d'\u0000\u001b\uFFFE ok`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;\uFFFD\uFFFD\uFFFD ok");
  });

  test("a hostile name and message round-trip through a strict parser; counts match the failures", () => {
    const xml = junitXml(`suite "<x>"`, [
      { name: "p99<200 & more", classname: "c", ok: true },
      { name: `errors<1%`, classname: "c", ok: false, message: `got 5% ]]> <![CDATA[ "'`, details: "line\nbreak\u0007" },
    ]);
    const root = parseXml(xml);
    const suite = findAll(root, "testsuite")[0]!;
    expect({ root: root.name, suite: suite.attributes, cases: findAll(root, "testcase").map((c) => c.attributes.name) }).toEqual({
      root: "testsuites",
      suite: { name: `suite "<x>"`, tests: "2", failures: "1", errors: "0", skipped: "0" },
      cases: ["p99<200 & more", "errors<1%"],
    });
    const failure = findAll(root, "failure")[0]!;
    expect({ message: failure.attributes.message, text: failure.text }).toEqual({ message: `got 5% ]]> <![CDATA[ "'`, text: "line\nbreak\uFFFD" });
  });

  test("a finished test's cases: each threshold, then whether it ended done", () => {
    const view = testView({ test_id: "t1" });
    view.metrics.latency = latency(2, 300);
    const parsed = parseThresholds(["p99<200", "errors<1%"]);
    if (!parsed.ok) throw new Error("bad thresholds");
    const cases = thresholdCases(view, evaluateThresholds(parsed.value, view));
    expect(cases.map((c) => [c.name, c.ok])).toEqual([["threshold p99<200", false], ["threshold errors<1%", true], ["test ended done", true]]);
    expect(cases[0]!.message).toBe("p99<200 failed: p99 = 300 ms");
    expect(thresholdCases({ ...view, state: "failed", error: "target down" }, []).map((c) => [c.ok, c.message])).toEqual([[false, "test t1 ended failed: target down"]]);
  });

  test("a comparison's cases: one per judged metric, failed ones with the figures", () => {
    const base = testView({ test_id: "A" });
    const candidate = testView({ test_id: "B" });
    candidate.metrics.latency = latency(4, 20);
    const thresholds = parseRegressionThresholds(["p50=10%", "errors=0.1pp"]);
    if (!thresholds.ok) throw new Error("bad thresholds");
    const cases = comparisonCases(compareTests(base, candidate, thresholds.value));
    expect(cases.map((c) => [c.name, c.ok])).toEqual([["max-regression errors=0.1pp", true], ["max-regression p50=10%", false]]);
    expect(cases[1]!.details).toBe("p50: base 2 ms, candidate 4 ms, change 2 (100%); worse than allowed 10%: worse by +100.0%");
    const root = parseXml(junitXml("compare", cases));
    expect(findAll(root, "failure").length).toBe(1);
  });
});
