// JUnit XML of thresholds and comparison verdicts, so CI systems show them as test results:
// one <testcase> per threshold or verdict, a <failure> when it failed. Pure.
import { writeFileSync } from "node:fs";
import type { Comparison } from "../compare/compare.ts";
import type { TestView } from "../orchestrator/snapshot.ts";
import type { ThresholdResult } from "./thresholds.ts";

/** One test case: passed, or failed with a message (the failure's one line) and details. */
export interface JUnitCase {
  name: string;
  classname: string;
  ok: boolean;
  message?: string;
  details?: string;
}

// XML 1.0 allows tab, newline, carriage return and everything from U+0020 on, except the
// surrogates (paired ones are fine as a code point) and U+FFFE/U+FFFF.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text safe in an XML attribute or element: the five entities escaped, characters XML forbids replaced by U+FFFD. */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** A JUnit XML document of one suite. */
export function junitXml(suite: string, cases: readonly JUnitCase[]): string {
  const failures = cases.filter((c) => !c.ok).length;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="loadtest" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
  ];
  for (const c of cases) {
    const open = `    <testcase name="${escapeXml(c.name)}" classname="${escapeXml(c.classname)}" time="0"`;
    if (c.ok) {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`, `      <failure message="${escapeXml(c.message ?? "failed")}" type="regression">${escapeXml(c.details ?? c.message ?? "")}</failure>`, `    </testcase>`);
  }
  lines.push("  </testsuite>", "</testsuites>");
  return lines.join("\n") + "\n";
}

/**
 * The cases of a finished test: each threshold, the abort_on that stopped it (if one did), and
 * whether it ended `done`, so a failed run shows in CI even without thresholds.
 */
export function thresholdCases(test: TestView, results: readonly ThresholdResult[]): JUnitCase[] {
  const classname = `loadtest.test.${test.test_id}`;
  const cases: JUnitCase[] = results.map((r) => ({ name: `threshold ${r.threshold.text}`, classname, ok: r.ok, message: `${r.threshold.text} failed: ${r.shown}`, details: r.shown }));
  const fired = test.stop?.by === "threshold" ? test.stop.threshold : undefined;
  if (fired) cases.push({ name: `abort_on ${fired.expression}`, classname, ok: false, message: `abort_on ${fired.expression} held: ${fired.observed} over the last ${fired.window_s} s` });
  const done = test.state === "done";
  cases.push({ name: "test ended done", classname, ok: done, message: `test ${test.test_id} ended ${test.state}${test.error ? `: ${test.error}` : ""}` });
  return cases;
}

/** The cases of a comparison: one per metric that a threshold judged, the whole test's then each request name's. */
export function comparisonCases(comparison: Comparison): JUnitCase[] {
  const classname = `loadtest.compare.${comparison.base}.${comparison.candidate}`;
  const named = Object.entries(comparison.by_name).flatMap(([name, metrics]) => metrics.map((m) => ({ m, what: `${m.metric} of request ${name}` })));
  return [...comparison.metrics.map((m) => ({ m, what: m.metric })), ...named]
    .filter(({ m }) => m.verdict !== "info")
    .map(({ m, what }) => ({
      name: `max-regression ${m.threshold}`,
      classname,
      ok: m.verdict === "pass",
      message: `${what} ${m.detail}`,
      details: `${what}: base ${m.base ?? "n/a"} ${m.unit}, candidate ${m.candidate ?? "n/a"} ${m.unit}, change ${m.change ?? "n/a"}${m.change_pct === null ? "" : ` (${m.change_pct}%)`}; ${m.detail}`,
    }));
}

/** Writes a JUnit file; the error names the file. */
export function writeJunit(file: string, suite: string, cases: readonly JUnitCase[]): void {
  writeFileSync(file, junitXml(suite, cases));
}
