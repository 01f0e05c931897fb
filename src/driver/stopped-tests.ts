import { FINISHED_TESTS_REMEMBERED } from "./defaults.ts";

/**
 * Tests a stop command named that this driver was not running (accepted and not triggered, or
 * not yet configured), with the stop's reason: a later configuration or trigger for one of them
 * is rejected with that reason instead of being run. Bounded: past `limit` the oldest is forgotten.
 */
export class StoppedTests {
  private readonly reasons = new Map<string, string>();

  constructor(private readonly limit = FINISHED_TESTS_REMEMBERED) {}

  /** Remembers that `testId` was stopped (the first reason is kept). */
  add(testId: string, reason: string): void {
    if (this.reasons.has(testId)) return;
    this.reasons.set(testId, reason);
    if (this.reasons.size > this.limit) this.reasons.delete(this.reasons.keys().next().value!);
  }

  /** The stop's reason, when `testId` was stopped. */
  reasonOf(testId: string): string | undefined {
    return this.reasons.get(testId);
  }
}
