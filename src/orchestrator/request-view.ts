// The per-request half of a test's view (GET /tests/:id, SSE snapshots, the stored result):
// each request name's tally turned into counts, latency and checks.
import { totalCounts } from "./aggregate.ts";
import { fleetLatency } from "./aggregate-latency.ts";
import type { RequestView } from "./snapshot.ts";
import type { TestTally } from "./test-tally.ts";

/** Each request name's view, from its tally (every driver's reports merged) and its first check failure. */
export function requestViews(byRequest: ReadonlyMap<string, TestTally>, firstCheckFailures: ReadonlyMap<string, string>): Record<string, RequestView> {
  const views: Record<string, RequestView> = {};
  for (const [name, tally] of byRequest) {
    const counts = totalCounts(tally.aggregate);
    const latency = counts.completed > 0 ? fleetLatency(tally.aggregate) : null;
    views[name] = {
      counts,
      metrics:
        latency === null
          ? null
          : {
              mean: latency.mean_latency,
              median: latency.median_latency,
              min: latency.min_latency,
              max: latency.max_latency,
              p90: latency.p90_latency ?? latency.median_latency,
              p95: latency.p95_latency ?? latency.median_latency,
              p99: latency.p99_latency ?? latency.max_latency,
            },
      check_failed: counts.check_failed ?? 0,
      first_check_failure: firstCheckFailures.get(name) ?? null,
    };
  }
  return views;
}
