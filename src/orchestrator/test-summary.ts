import type { Counts, LatencySummary, TestType } from "../protocol/index.ts";
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

/** Shortens a test view to its history line (one function with the dashboard's live rows). */
export { summarizeTest } from "../dashboard/client/history-line.ts";
