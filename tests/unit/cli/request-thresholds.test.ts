import { describe, expect, test } from "bun:test";
import { evaluateThresholds, parseThreshold, parseThresholds, type Threshold } from "../../../src/cli/thresholds.ts";
import type { RequestView } from "../../../src/orchestrator/snapshot.ts";
import { AbortOnSchema } from "../../../src/orchestrator/abort/abort-config.ts";
import { counts, testView } from "./fixtures.ts";

const parsed = (text: string): Threshold => {
  const result = parseThreshold(text);
  if (!result.ok) throw new Error(result.error);
  return result.value;
};

const request = (c: RequestView["counts"], p99: number | null): RequestView => ({
  counts: c,
  metrics: p99 === null ? null : { mean: p99 / 3, median: p99 / 4, min: 1, max: p99 * 2, p90: p99 / 2, p95: p99 / 1.5, p99 },
  check_failed: c.check_failed ?? 0,
  first_check_failure: c.check_failed ? "status 500 not in [200,201]" : null,
});

describe("checks and per-request thresholds", () => {
  test("parse checks as a share (percent or k6's fraction) and a {name:...} tag on any metric", () => {
    expect(["checks>99%", "checks>=0.99", "p99{name:create}<300", "errors{ name: POST /items }<1%", "checks{name:ping}>99.5%"].map(parsed)).toEqual([
      { text: "checks>99%", metric: "checks", op: ">", value: 99, percent: true },
      { text: "checks>=0.99", metric: "checks", op: ">=", value: 99, percent: true },
      { text: "p99{name:create}<300", metric: "p99", op: "<", value: 300, percent: false, name: "create" },
      { text: "errors{ name: POST /items }<1%", metric: "errors", op: "<", value: 1, percent: true, name: "POST /items" },
      { text: "checks{name:ping}>99.5%", metric: "checks", op: ">", value: 99.5, percent: true, name: "ping" },
    ]);
    expect(parsed("p99{name:GET /items/${seq}}<300")).toMatchObject({ metric: "p99", name: "GET /items/${seq}" });
  });

  test("reject a bad tag, checks over 1 without %, and tags or checks in abort_on", () => {
    const result = parseThresholds(["p99{tag:x}<3", "p99{name:}<3", "checks>99"]);
    expect(result.ok ? [] : result.errors).toEqual([
      expect.stringContaining("a tag is {name:<request name>}"),
      expect.stringContaining("a tag is {name:<request name>}"),
      expect.stringContaining('write "99%"'),
    ]);
    const abort = AbortOnSchema.safeParse(["errors>5%", "checks<90%", "p99{name:a}>300"]);
    expect(abort.success ? [] : abort.error.issues.map((i) => i.path)).toEqual([[1], [2]]);
  });

  test("judge checks on the whole test and tagged thresholds on that request's figures; a missing name fails", () => {
    const view = testView({ total: counts(1000, { check_failed: 20 }) });
    view.by_request = {
      ping: request(counts(800), 40),
      create: request(counts(200, { check_failed: 20, status_2xx: 180, status_5xx: 20 }), 450),
    };
    const results = evaluateThresholds(["checks>99%", "checks>=0.98", "p99{name:ping}<300", "p99{name:create}<300", "checks{name:create}>95%", "errors{name:create}<5%", "rps{name:ping}>100", "p99{name:nope}<300"].map(parsed), view);
    expect(results.map((r) => [r.threshold.text, r.ok, r.shown])).toEqual([
      ["checks>99%", false, "checks = 98.00% (20 of 1,000 failed)"],
      ["checks>=0.98", true, "checks = 98.00% (20 of 1,000 failed)"],
      ["p99{name:ping}<300", true, "p99{name:ping} = 40.0 ms"],
      ["p99{name:create}<300", false, "p99{name:create} = 450 ms"],
      ["checks{name:create}>95%", false, "checks{name:create} = 90.00% (20 of 200 failed)"],
      ["errors{name:create}<5%", false, "errors{name:create} = 10.00% (20 of 200)"],
      ["rps{name:ping}>100", true, "rps{name:ping} = 158/s"],
      ["p99{name:nope}<300", false, 'p99{name:nope} = n/a (no request named "nope")'],
    ]);
  });
});
