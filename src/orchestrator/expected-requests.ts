// What a test is expected to send in all, and how far along it is: shared by the CLI's progress
// line and the dashboard. Pure.
import { MAX_COUNT_PER_DRIVER } from "../protocol/limits.ts";
import { integrate } from "./planned-rate.ts";
import type { TestView } from "./snapshot.ts";

/** The parts of a view the expectation reads. */
export type ExpectationFields = Pick<TestView, "drivers" | "planned_rps" | "duration_ms" | "metrics"> & {
  config: Pick<TestView["config"], "message_count_per_driver" | "duration_s">;
};

/**
 * Requests the test will send in all: count per driver × drivers, or, when the test plans a rate
 * (`planned_rps`: a ramp, a duration, TSUNAMI, a cap), what that plan adds up to, whichever is
 * less. Null when no total is known: a test bounded by `duration_s` that sends as fast as it can
 * (no planned rate) with the default count ({@link MAX_COUNT_PER_DRIVER}, the API's when
 * duration_s or stages ends the test).
 */
export function expectedRequests(test: ExpectationFields): number | null {
  const count = test.config.message_count_per_driver;
  const byCount = count * test.drivers.length;
  if (test.planned_rps !== undefined) return Math.min(byCount, Math.round(integrate(test.planned_rps, 0, Infinity)));
  if (test.config.duration_s !== undefined && count >= MAX_COUNT_PER_DRIVER) return null;
  return byCount;
}

/**
 * How far the test is, in [0, 1]: sent over {@link expectedRequests}, or, for a test bounded by
 * `duration_s` without a planned rate, the larger of that and the time elapsed over the duration.
 */
export function progressFraction(test: ExpectationFields): number {
  const expected = expectedRequests(test);
  const bySent = expected !== null && expected > 0 ? test.metrics.counts.sent / expected : 0;
  const duration = test.config.duration_s;
  const byTime = test.planned_rps === undefined && duration !== undefined && test.duration_ms !== null ? test.duration_ms / (duration * 1000) : 0;
  const f = Math.max(bySent, byTime);
  return Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0;
}
