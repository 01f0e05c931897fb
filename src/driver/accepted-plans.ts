import { ACCEPTED_PLANS_KEPT } from "./defaults.ts";
import type { RunPlan } from "./run-plan.ts";

/**
 * Plans this driver accepted and has not been triggered for yet, by test_id. The orchestrator
 * may create several tests before triggering one, so each is kept; past `limit` the oldest
 * accepted is forgotten (a test created and never triggered must not pile up).
 */
export class AcceptedPlans {
  private readonly plans = new Map<string, RunPlan>();

  constructor(private readonly limit = ACCEPTED_PLANS_KEPT) {}

  /** Keeps a plan (a repeated one counts as the newest); returns the test_id evicted to make room, if any. */
  add(plan: RunPlan): string | undefined {
    this.plans.delete(plan.testId);
    this.plans.set(plan.testId, plan);
    if (this.plans.size <= this.limit) return undefined;
    const oldest = this.plans.keys().next().value!;
    this.plans.delete(oldest);
    return oldest;
  }

  /** Removes and returns the plan of `testId`. */
  take(testId: string): RunPlan | undefined {
    const plan = this.plans.get(testId);
    this.plans.delete(testId);
    return plan;
  }

  has(testId: string): boolean {
    return this.plans.has(testId);
  }

  /** The most recently accepted test, if any. */
  newest(): string | undefined {
    return [...this.plans.keys()].at(-1);
  }

  clear(): void {
    this.plans.clear();
  }
}
