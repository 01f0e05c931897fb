import { afterEach, expect, test } from "bun:test";
import { createApp } from "../../../../src/orchestrator/http/app.ts";
import type { TestView } from "../../../../src/orchestrator/snapshot.ts";
import type { TestSummary } from "../../../../src/orchestrator/test-summary.ts";
import { FakeDriverReports, spread, startHarness } from "../fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

test("a stopped test's JSON, CSV and HTML reports and its history line show the state, the reason and the aborted count", async () => {
  harness = await startHarness({ ids: ["t1"] });
  await harness.join("d1");
  const app = createApp(harness.orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
  await harness.orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true });
  await harness.orchestrator.stopTest("t1", { reason: "target <on> fire" });
  const final = new FakeDriverReports("d1", "t1").window(spread(20, 1, 2), { final: true });
  await harness.report({ ...final, counts: { ...final.counts!, sent: 23, stopped: 3 }, stopped: "target <on> fire (stopped after 23 of 100 requests, 3 in flight aborted)" });

  const json = (await (await app.request("/tests/t1/report?format=json")).json()) as { test: TestView };
  expect(json.test).toMatchObject({ state: "stopped", error: "stopped: target <on> fire", stop: { reason: "target <on> fire", by: "user", unconfirmed: [] } });
  expect(json.test.metrics.counts).toMatchObject({ sent: 23, completed: 20, stopped: 3 });
  expect(json.test.per_driver[0]!.outcome).toBe("stopped");

  const csv = await (await app.request("/tests/t1/report?format=csv")).text();
  expect(csv.split("\r\n").find((l) => l.startsWith("t1,all,total,"))!.endsWith(",3,target <on> fire,,,")).toBe(true);

  const html = await (await app.request("/tests/t1/report?format=html")).text();
  expect(html).toContain('<span class="badge stopped">stopped</span>');
  expect(html).toContain("<dt>reason</dt><dd>target &lt;on&gt; fire</dd>");
  expect(html).toContain("<dt>aborted in flight</dt><dd>3</dd>");

  const list = (await (await app.request("/tests")).json()) as { tests: TestSummary[] };
  expect(list.tests[0]).toMatchObject({ test_id: "t1", state: "stopped", stop: { reason: "target <on> fire" }, counts: { stopped: 3 } });
});
