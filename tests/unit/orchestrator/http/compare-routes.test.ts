import { afterEach, describe, expect, test } from "bun:test";
import type { Comparison } from "../../../../src/compare/compare.ts";
import type { TestDistribution } from "../../../../src/orchestrator/distribution.ts";
import { createApp } from "../../../../src/orchestrator/http/app.ts";
import { ComparisonSchema, DistributionSchema } from "../../../../src/orchestrator/http/openapi/compare-schemas.ts";
import { FakeDriverReports, spread, startHarness } from "../fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Two finished tests on one driver: t1 fast (1..2 ms), t2 slow (5..10 ms); t3 created and left running. */
async function twoRuns() {
  harness = await startHarness({ ids: ["t1", "t2", "t3"] });
  await harness.join("d1");
  const app = createApp(harness.orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
  for (const [id, from, to] of [["t1", 1, 2], ["t2", 5, 10]] as const) {
    await harness.orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 200, target_url: "http://127.0.0.1:8080/ping", trigger: true });
    const reports = new FakeDriverReports("d1", id);
    await harness.report(reports.window(spread(100, from, to)));
    await harness.report(reports.window(spread(100, from, to), { final: true }));
    harness.orchestrator.tick();
    expect(harness.orchestrator.getTest(id)!.ended_at).not.toBeNull();
  }
  return app;
}

describe("GET /tests/compare", () => {
  test("answers each metric's change and fails the latency beyond its max_regression", async () => {
    const app = await twoRuns();
    const res = await app.request("/tests/compare?base=t1&candidate=t2&max_regression=p99=10%25&max_regression=errors=0.1pp");
    const body = (await res.json()) as Comparison;
    expect(res.status).toBe(200);
    expect(ComparisonSchema.parse(body)).toEqual(body);
    expect({ passed: body.passed, thresholds: body.thresholds }).toEqual({ passed: false, thresholds: ["p99=10%", "errors=0.1pp"] });
    const byMetric = Object.fromEntries(body.metrics.map((m) => [m.metric, m]));
    expect(byMetric.p99).toMatchObject({ verdict: "fail", regressed: true });
    expect(byMetric.p50!.candidate! / byMetric.p50!.base!).toBeGreaterThan(4);
    expect(byMetric.errors).toMatchObject({ verdict: "pass", base: 0, candidate: 0 });
    expect(byMetric.p90!.verdict).toBe("info");

    const generous = (await (await app.request("/tests/compare?base=t1&candidate=t2&max_regression=p99=1000%25")).json()) as Comparison;
    expect(generous.passed).toBe(true);
  });

  test("refuses an unknown test (404), a test still running (409) and a bad threshold (422 naming the entry)", async () => {
    const app = await twoRuns();
    await harness!.orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 10, target_url: "http://127.0.0.1:8080/ping", trigger: true });
    const answer = async (query: string) => {
      const res = await app.request(`/tests/compare?${query}`);
      return { status: res.status, ...((await res.json()) as { error: string; issues: { path: string }[] }) };
    };
    expect(await answer("base=t1&candidate=nope")).toMatchObject({ status: 404, error: 'no candidate test "nope"' });
    expect(await answer("base=t3&candidate=t2")).toMatchObject({ status: 409, error: "the base test t3 is still running: compare it once it has ended" });
    const bad = await answer("base=t1&candidate=t2&max_regression=p99=10%25&max_regression=p99<10");
    expect({ status: bad.status, paths: bad.issues.map((i) => i.path) }).toEqual({ status: 422, paths: ["max_regression.1"] });
    expect(bad.error).toContain('"p99<10"');
    expect(await answer("candidate=t2")).toMatchObject({ status: 422, issues: [{ path: "base" }] });
  });
});

describe("GET /tests/:id/distribution", () => {
  test("answers the whole test's and each driver's distribution from the stored reports, and 404 for an unknown test", async () => {
    const app = await twoRuns();
    const res = await app.request("/tests/t2/distribution");
    const body = (await res.json()) as TestDistribution;
    expect(res.status).toBe(200);
    expect(DistributionSchema.parse(body)).toEqual(body);
    expect({ count: body.total!.count, min: body.total!.min_ms, p0: body.total!.points[0]!.latency_ms, drivers: body.per_driver.map((d) => d.node_id) }).toEqual({
      count: 200,
      min: 5,
      p0: 5,
      drivers: ["d1"],
    });
    expect(body.total!.points.at(-1)!.latency_ms).toBeLessThanOrEqual(body.total!.max_ms);
    expect((await app.request("/tests/nope/distribution")).status).toBe(404);
  });

  test("follows a running test report by report after the first request", async () => {
    harness = await startHarness({ ids: ["t1"] });
    await harness.join("d1");
    const app = createApp(harness.orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
    await harness.orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 300, target_url: "http://127.0.0.1:8080/ping", trigger: true });
    const reports = new FakeDriverReports("d1", "t1");
    const total = async () => ((await (await app.request("/tests/t1/distribution")).json()) as TestDistribution).total;
    expect(await total()).toBeNull();
    await harness.report(reports.window(spread(100, 1, 2)));
    expect((await total())!.count).toBe(100);
    await harness.report(reports.window(spread(100, 50, 60)));
    expect(await total()).toMatchObject({ count: 200, min_ms: 1, max_ms: 59.9 });
  });
});

test("the HTML report carries the latency-by-percentile chart of the test", async () => {
  const app = await twoRuns();
  const html = await (await app.request("/tests/t2/report?format=html")).text();
  expect(html).toContain("Latency by percentile (merged digest, log scale)");
  expect(html).toContain(">p99.99</text>");
});
