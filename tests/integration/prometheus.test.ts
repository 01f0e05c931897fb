import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runTest, startHarness, type Harness } from "./local-harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ drivers: 2 });
});
afterAll(async () => {
  await h?.close();
});

/** The value of one sample line, by its name and labels as printed. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /metrics", () => {
  test("shows the drivers, the last test's requests by driver and outcome as REST reports them, and its latency summary", async () => {
    const done = await runTest(h, { test_type: "AVALANCHE", message_count_per_driver: 150, concurrency: 4 });
    const response = await h.app.request("/metrics");
    const text = await response.text();
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const id = done.test_id;
    expect({
      alive: sample(text, 'loadtest_drivers{status="alive"}'),
      running: sample(text, "loadtest_test_running"),
      ok1: sample(text, `loadtest_requests_total{test_id="${id}",node_id="local-1",outcome="2xx"}`),
      ok2: sample(text, `loadtest_requests_total{test_id="${id}",node_id="local-2",outcome="2xx"}`),
      count: sample(text, `loadtest_test_latency_ms_count{test_id="${id}"}`),
      p99: sample(text, `loadtest_test_latency_ms{test_id="${id}",quantile="0.99"}`),
      dropped: sample(text, 'loadtest_messages_dropped_total{reason="unknown_test"}'),
    }).toEqual({
      alive: 2,
      running: 0,
      ok1: done.per_driver.find((d) => d.node_id === "local-1")!.counts.status_2xx,
      ok2: done.per_driver.find((d) => d.node_id === "local-2")!.counts.status_2xx,
      count: 300,
      p99: done.metrics.latency!.p99_latency!,
      dropped: 0,
    });
  });
});
