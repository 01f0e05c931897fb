/**
 * Watches a running test through `GET /tests/:id` and records when the orchestrator's count of
 * received reports grows, so a failover drill can print the longest stretch without a new
 * report: the per-second series' gap as the orchestrator saw it.
 */
import { getTest, type TestJson } from "../../helpers/orchestrator-client.ts";

export interface ReportGapWatch {
  /** Stops polling; returns the longest gap between report arrivals (ms) and where it started. */
  stop(): Promise<{ longestGapMs: number; gapStartedAt: number; arrivals: number }>;
}

/** Polls every `intervalMs` (100) until stopped; a poll that fails (orchestrator busy) is skipped. */
export function watchReportGaps(orchestratorUrl: string, testId: string, intervalMs = 100): ReportGapWatch {
  let stopped = false;
  let last = -1;
  let lastAt = performance.now();
  let longestGapMs = 0;
  let gapStartedAt = 0;
  let arrivals = 0;
  let lastPollAt = lastAt;
  const loop = (async () => {
    while (!stopped) {
      try {
        const test = (await getTest(orchestratorUrl, testId)) as TestJson;
        const reports = test.per_driver.reduce((sum, d) => sum + d.reports, 0);
        const now = performance.now();
        lastPollAt = now;
        if (reports > last) {
          if (last >= 0 && now - lastAt > longestGapMs) {
            longestGapMs = now - lastAt;
            gapStartedAt = lastAt;
          }
          if (last >= 0) arrivals++;
          last = reports;
          lastAt = now;
        }
        if (test.state !== "running" && test.state !== "created") break;
      } catch {
        // Try again at the next interval.
      }
      await Bun.sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      // A stretch still open at the end (no report since) counts too.
      if (lastPollAt - lastAt > longestGapMs) {
        longestGapMs = lastPollAt - lastAt;
        gapStartedAt = lastAt;
      }
      return { longestGapMs: Math.round(longestGapMs), gapStartedAt, arrivals };
    },
  };
}
