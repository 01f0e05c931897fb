/** Waits used by the fault tests: a test that is running with reports in, a target that has seen traffic. */
import { getTest, targetMetrics, type TestJson } from "../../helpers/orchestrator-client.ts";
import { waitFor } from "../../helpers/wait.ts";

/** Waits until every participant of a test has reported at least `reports` times (the test is well under way). */
export async function waitForReports(orchestratorUrl: string, testId: string, reports = 1, timeoutMs = 60_000): Promise<TestJson> {
  return waitFor(
    `every driver of ${testId} to have sent ${reports} report(s)`,
    async () => {
      const test = await getTest(orchestratorUrl, testId);
      const full = test as TestJson & { per_driver: { reports: number }[] };
      return test.state === "running" && full.per_driver.every((d) => d.reports >= reports) ? test : null;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** Waits until the target has answered at least `count` pings and returns its counters. */
export async function waitForTargetPings(targetUrl: string, count: number, timeoutMs = 60_000) {
  return waitFor(
    `${targetUrl} to have received ${count} pings`,
    async () => {
      const metrics = await targetMetrics(targetUrl);
      return metrics.ping.received >= count ? metrics : null;
    },
    { timeoutMs, intervalMs: 100 },
  );
}
