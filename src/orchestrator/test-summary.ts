import type { Counts, LatencySummary, TestType } from "../protocol/index.ts";
import type { TestView } from "./snapshot.ts";
import type { TestState, TestStop } from "./test-state.ts";

/** One line of `GET /tests`: what a history list shows without the per-driver detail. */
export interface TestSummary {
  test_id: string;
  state: TestState;
  test_type: TestType;
  message_count_per_driver: number;
  target_url: string | null;
  drivers: string[];
  created_at: number;
  triggered_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  error: string | null;
  /** Set once a stop was asked for (its reason, who asked, unconfirmed drivers). */
  stop?: TestStop;
  counts: Counts;
  latency: LatencySummary | null;
}

/**
 * Shortens a test view to its history line: each line of `GET /tests`, and each live update of
 * a dashboard row (the browser bundle imports this function; keep this file free of IO).
 */
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
