// A test's history line. The API computes it for each line of GET /tests and the dashboard for
// each live update of a row: one function for both, kept here because the browser loads only
// this folder's modules (the orchestrator re-exports it from test-summary.ts).
import type { TestView } from "../../orchestrator/snapshot.ts";
import type { TestSummary } from "../../orchestrator/test-summary.ts";

/** Shortens a test view to its history line: what a history list shows without the per-driver detail. */
export function summarizeTest(view: TestView): TestSummary {
  return {
    test_id: view.test_id,
    state: view.state,
    test_type: view.config.test_type,
    message_count_per_driver: view.config.message_count_per_driver,
    target_url: view.config.target_url ?? null,
    drivers: view.drivers,
    created_at: view.created_at,
    triggered_at: view.triggered_at,
    ended_at: view.ended_at,
    duration_ms: view.duration_ms,
    error: view.error,
    ...(view.stop ? { stop: view.stop } : {}),
    counts: view.metrics.counts,
    latency: view.metrics.latency,
  };
}
